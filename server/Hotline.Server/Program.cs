using Hotline.Server.Hosting;
using Hotline.Server.Transport;

return args switch
{
    ["tls", .. var tls] => TlsCommand.Run(tls, Console.Out, Console.Error),
    ["keygen", .. var keygen] => await HotlineHost.KeygenAsync(keygen),
    _ => await HotlineHost.RunAsync(args),
};
