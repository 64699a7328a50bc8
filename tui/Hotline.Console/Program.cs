using Hotline.Console;

return await ConsoleProgram.RunAsync(args);
