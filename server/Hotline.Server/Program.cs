using Hotline.Server.Admin;
using Hotline.Server.Hosting;

return AdminCommandLine.Handles(args)
    ? await AdminCommandLine.RunAsync(args, Console.Out, Console.Error)
    : await HotlineHost.RunAsync(args);
