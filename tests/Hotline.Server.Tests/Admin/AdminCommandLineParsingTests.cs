using Hotline.Server.Admin;

namespace Hotline.Server.Tests.Admin;

/// <summary>The command line's usage errors: refused before any data directory or server is touched.</summary>
public sealed class AdminCommandLineParsingTests
{
    [Theory]
    [InlineData(new[] { "operators", "list", "--bogus", "x" }, "hotline-server: unknown option --bogus")]
    [InlineData(new[] { "operators", "list", "--bogus" }, "hotline-server: --bogus needs a value")]
    [InlineData(new[] { "operators", "add", "x", "--role", "operator", "--name" }, "hotline-server: --name needs a value")]
    [InlineData(new[] { "operators", "add", "x", "--name", "A", "--role", "operator", "--yes", "--name" }, "hotline-server: --name needs a value")]
    [InlineData(new[] { "purge", "--closed-before" }, "hotline-server: --closed-before needs a value")]
    [InlineData(new[] { "lockdown", "--data-dir" }, "hotline-server: --data-dir needs a value")]
    [InlineData(new[] { "unlock", "--Hotline:MasterKeyFile" }, "hotline-server: --Hotline:MasterKeyFile needs a value")]
    [InlineData(new[] { "purge", "--", "x" }, "hotline-server: unknown option --")]
    [InlineData(new[] { "lockdown", "--help", "--bogus", "x" }, "hotline-server: unknown option --bogus")]
    public async Task Mistakes_ExitTwo_WithTheUsage(string[] args, string line)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await AdminCommandLine.RunAsync(args, output, error).DefaultTimeout();

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Empty(output.ToString());
        Assert.StartsWith(line + "\n\n" + AdminCommandLine.Usage, error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("operators", "-h")]
    [InlineData("purge", "x", "--help", "--data-dir", "/nonexistent")]
    public async Task Help_PrintsTheUsage_AndTouchesNothing(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await AdminCommandLine.RunAsync(args, output, error).DefaultTimeout();

        Assert.Equal(0, exit);
        Assert.Equal(AdminCommandLine.Usage + Environment.NewLine, output.ToString());
        Assert.Empty(error.ToString());
    }
}
