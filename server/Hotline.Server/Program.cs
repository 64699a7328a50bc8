using Hotline.Server.Hosting;

return await HotlineHost.RunAsync(args);
