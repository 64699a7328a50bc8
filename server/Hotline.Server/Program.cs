using Hotline.Server.Hosting;

return args is ["keygen", .. var rest]
    ? await HotlineHost.KeygenAsync(rest)
    : await HotlineHost.RunAsync(args);
