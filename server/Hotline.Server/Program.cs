using Hotline.Server.Admin;
using Hotline.Server.Hosting;
using Hotline.Server.Transport;

return args switch
{
    ["tls", .. var tls] => TlsCommand.Run(tls, Console.Out, Console.Error),
    ["keygen", .. var keygen] => await HotlineHost.KeygenAsync(keygen),
    ["restore", ..] => await RestoreCommand.RunAsync(args, Console.Out, Console.Error),
    _ when AdminCommandLine.Handles(args) => await AdminCommandLine.RunAsync(args, Console.Out, Console.Error),
    _ => await HotlineHost.RunAsync(args),
};
