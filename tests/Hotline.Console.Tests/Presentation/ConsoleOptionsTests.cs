using Hotline.Console.Remote;

namespace Hotline.Console.Tests.Presentation;

public sealed class ConsoleOptionsTests
{
    [Fact]
    public void NoArguments_UseTheLocalServerAndTheDevelopmentIdentity()
    {
        var (options, error) = ConsoleOptions.Parse([], _ => null);

        Assert.Null(error);
        Assert.Equal(new Uri("http://127.0.0.1:5171"), options!.Server);
        Assert.Equal(new DevelopmentIdentity("dev"), options.Credential);
        Assert.Equal(ColorMode.Full, options.Colors);
        Assert.True(options.Bell);
    }

    [Fact]
    public void TokenOnTheCommandLine_IsRefused()
    {
        var (options, error) = ConsoleOptions.Parse(["--token", "s3cret"], _ => null);

        Assert.Null(options);
        Assert.Contains("--token-file", error, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TokenFile_IsReadAndNeverPrinted()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "s3cret\n");

            var (options, _) = ConsoleOptions.Parse(["--token-file", file, "--server", "https://hotline.example:8443"], _ => null);

            var token = Assert.IsType<BearerToken>(options!.Credential);
            Assert.Equal("s3cret", token.Token);
            Assert.DoesNotContain("s3cret", token.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("s3cret", options.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData(new[] { "--operator", "anna" }, null, "anna")]
    [InlineData(new string[0], "timur", "timur")]
    public void Operator_ComesFromTheOptionOrTheEnvironment(string[] args, string? environment, string expected)
    {
        var (options, _) = ConsoleOptions.Parse(args, name => name == "HOTLINE_OPERATOR" ? environment : null);

        Assert.Equal(new DevelopmentIdentity(expected), options!.Credential);
    }

    [Fact]
    public void HotlineTokenVariable_BecomesABearerToken()
    {
        var (options, _) = ConsoleOptions.Parse([], name => name == "HOTLINE_TOKEN" ? "abc" : null);

        Assert.Equal("HOTLINE_TOKEN", Assert.IsType<BearerToken>(options!.Credential).Source);
    }

    [Theory]
    [InlineData(new[] { "--mono" }, null, ColorMode.Monochrome)]
    [InlineData(new[] { "--colors", "16" }, null, ColorMode.Sixteen)]
    [InlineData(new string[0], "1", ColorMode.Monochrome)]
    [InlineData(new[] { "--colors", "full" }, "1", ColorMode.Full)]
    public void Colors_FollowTheOptionAndNoColor(string[] args, string? noColor, ColorMode expected) =>
        Assert.Equal(expected, ConsoleOptions.Parse(args, name => name == "NO_COLOR" ? noColor : null).Options!.Colors);

    [Theory]
    [InlineData(new[] { "--help" }, null)]
    [InlineData(new[] { "--bogus" }, "unknown option '--bogus'")]
    [InlineData(new[] { "--server", "ftp://x" }, "'ftp://x' is not an http or https address")]
    [InlineData(new[] { "--server" }, "--server needs a value")]
    public void HelpAndMistakes_ReturnNoOptions(string[] args, string? error)
    {
        var parsed = ConsoleOptions.Parse(args, _ => null);

        Assert.Null(parsed.Options);
        Assert.Equal(error, parsed.Error);
    }
}
