using Hotline.Server.Hosting;
using Hotline.Server.Transport;

return args is ["tls", .. var tls] ? TlsCommand.Run(tls, Console.Out, Console.Error) : await HotlineHost.RunAsync(args);
