namespace Hotline.Examples.Tests;

/// <summary>Where the examples are in the repository the tests were built from.</summary>
internal static class ExamplePaths
{
    public static string Repository { get; } = FindRepository();

    public static string Examples => Path.Combine(Repository, "examples");

    private static string FindRepository()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Hotline.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("Hotline.sln not found above the test binaries.");
    }

    /// <summary>Runs a short check command; fails the test with <paramref name="hint"/> when it does not succeed.</summary>
    public static async Task RequireAsync(string program, string[] arguments, string hint)
    {
        try
        {
            await using var check = ExampleProgram.Start(program, arguments);
            if (await check.WaitForExitAsync(TimeSpan.FromSeconds(60)) != 0)
            {
                Assert.Fail($"{hint}\n{check.Error}");
            }
        }
        catch (InvalidOperationException e)
        {
            Assert.Fail($"{hint}\n{e.Message}");
        }
    }
}
