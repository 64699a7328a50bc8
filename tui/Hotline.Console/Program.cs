using Hotline.Console;

return await ConsoleApp.RunAsync(args);
