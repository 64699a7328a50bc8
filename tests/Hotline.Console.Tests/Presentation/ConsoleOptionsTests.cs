using Hotline.Console.Remote;

namespace Hotline.Console.Tests.Presentation;

public sealed class ConsoleOptionsTests
{
    private static string? WithToken(string name) => name == "HOTLINE_TOKEN" ? "hl_test" : null;

    [Fact]
    public void OnlyAToken_UsesTheLocalServerAndDefaults()
    {
        var (options, error) = ConsoleOptions.Parse([], WithToken);

        Assert.Null(error);
        Assert.Equal(new Uri("http://127.0.0.1:5171"), options!.Server);
        Assert.IsType<BearerToken>(options.Credential);
        Assert.Equal(ColorMode.Full, options.Colors);
        Assert.True(options.Bell);
        Assert.Empty(options.Pins);
    }

    [Fact]
    public void NoToken_IsRefusedWithHowToGetOne()
    {
        var (options, error) = ConsoleOptions.Parse([], _ => null);

        Assert.Null(options);
        Assert.Contains("--token-file", error, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void TokenFileOthersCanRead_IsRefusedWithoutReadingIt()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "s3cret\n");
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

            var (options, error) = ConsoleOptions.Parse(["--token-file", file], _ => null);

            Assert.Null(options);
            Assert.Contains("chmod 600", error, StringComparison.Ordinal);
            Assert.DoesNotContain("s3cret", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Pins_AreParsedAndNeedHttps()
    {
        var fingerprint = "sha256:" + string.Join(":", Enumerable.Repeat("AB", 32));

        var (pinned, _) = ConsoleOptions.Parse(["--server", "https://hotline.example:8443", "--pin", fingerprint], WithToken);
        Assert.Single(pinned!.Pins);

        var (plaintext, error) = ConsoleOptions.Parse(["--pin", fingerprint], WithToken);
        Assert.Null(plaintext);
        Assert.Contains("https://", error, StringComparison.Ordinal);

        Assert.Null(ConsoleOptions.Parse(["--server", "https://h.example", "--pin", "not-a-fingerprint"], WithToken).Options);
    }

    [Fact]
    public void Pin_IsRepeatable()
    {
        var first = "sha256:" + string.Join(":", Enumerable.Repeat("AB", 32));
        var second = "sha256:" + string.Join(":", Enumerable.Repeat("CD", 32));

        var (options, error) = ConsoleOptions.Parse(["--server", "https://hotline.example:8443", "--pin", first, "--pin", second], WithToken);

        Assert.Null(error);
        Assert.Equal(2, options!.Pins.Count);
    }

    [Fact]
    public void NoBellAndDemo_AreSwitches()
    {
        var options = ConsoleOptions.Parse(["--no-bell", "--demo"], WithToken).Options!;

        Assert.False(options.Bell);
        Assert.True(options.Demo);
    }

    [Fact]
    public void TokenWithoutAValue_IsRefusedTheSameWay()
    {
        var (options, error) = ConsoleOptions.Parse(["--no-bell", "--token"], _ => null);

        Assert.Null(options);
        Assert.StartsWith("--token is not accepted", error, StringComparison.Ordinal);
    }

    [Fact]
    public void SeveralServers_RepeatedOrCommaSeparated_KeepTheirOrder()
    {
        var (options, error) = ConsoleOptions.Parse(
            ["--server", "https://a.example:8443,https://b.example:8443", "--server", " https://c.example:8443 "], WithToken);

        Assert.Null(error);
        Assert.Equal([new Uri("https://a.example:8443"), new Uri("https://b.example:8443"), new Uri("https://c.example:8443")], options!.Servers);
        Assert.Equal(new Uri("https://a.example:8443"), options.Server);
    }

    [Fact]
    public void SeveralServersInTheEnvironment_AreCommaSeparated_AndTheCommandLineWins()
    {
        string? Environment(string name) => name == "HOTLINE_SERVER" ? "https://a.example:8443, https://b.example:8443" : WithToken(name);

        Assert.Equal([new Uri("https://a.example:8443"), new Uri("https://b.example:8443")], ConsoleOptions.Parse([], Environment).Options!.Servers);
        Assert.Equal([new Uri("https://c.example:8443")], ConsoleOptions.Parse(["--server", "https://c.example:8443"], Environment).Options!.Servers);
    }

    [Theory]
    [InlineData("https://a.example:8443,http://127.0.0.1:5171", "'http://127.0.0.1:5171/' is http:// but 'https://a.example:8443/' is https://")]
    [InlineData("https://a.example:8443,https://a.example:8443", "'https://a.example:8443/' is listed twice.")]
    [InlineData("https://a.example:8443,https://b.example:8443/x", "'https://b.example:8443/x' has more than a scheme, host and port")]
    [InlineData("https://a.example:8443,b.example", "'b.example' is not an http or https address")]
    [InlineData("http://127.0.0.1:5171,http://hotline.example:5171", "refusing plaintext to http://hotline.example:5171/")]
    [InlineData(",", "--server needs a value")]
    public void BadServerInAList_IsRefusedByName(string servers, string error)
    {
        var parsed = ConsoleOptions.Parse(["--server", servers], WithToken);

        Assert.Null(parsed.Options);
        Assert.StartsWith(error, parsed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void PlaintextBeyondLoopback_IsRefused()
    {
        var (options, error) = ConsoleOptions.Parse(["--server", "http://hotline.example:5171"], WithToken);

        Assert.Null(options);
        Assert.Contains("plaintext", error, StringComparison.Ordinal);
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
    [InlineData(new[] { "--colors", "full", "--no-color" }, null, ColorMode.Monochrome)]
    [InlineData(new[] { "--monochrome", "--colors", "16" }, null, ColorMode.Sixteen)]
    [InlineData(new[] { "--colors", "none" }, null, ColorMode.Monochrome)]
    public void Colors_FollowTheOptionAndNoColor(string[] args, string? noColor, ColorMode expected) =>
        Assert.Equal(expected, ConsoleOptions.Parse(args, name => name == "NO_COLOR" ? noColor : WithToken(name)).Options!.Colors);

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void DemoTokenFile_IsWhomTheDemoSubmitsAs_NotTheOperator()
    {
        var file = OwnerOnlyFile("hl_webform\n");
        try
        {
            string? Environment(string name) => name == "HOTLINE_DEMO_TOKEN_FILE" ? file : WithToken(name);

            var demo = ConsoleOptions.Parse(["--demo"], Environment).Options!;
            var byOption = ConsoleOptions.Parse(["--demo", "--demo-token-file", file], WithToken).Options!;
            var plain = ConsoleOptions.Parse([], Environment).Options!;

            Assert.Equal("hl_webform", Assert.IsType<BearerToken>(demo.DemoSubmitter).Token);
            Assert.Equal("hl_test", Assert.IsType<BearerToken>(demo.Credential).Token);
            Assert.Equal("hl_webform", Assert.IsType<BearerToken>(byOption.DemoSubmitter).Token);
            Assert.Null(plain.DemoCredential);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void DemoWithoutAnIntakeToken_SubmitsWithTheOperatorsOwn()
    {
        var options = ConsoleOptions.Parse(["--demo"], WithToken).Options!;

        Assert.Same(options.Credential, options.DemoSubmitter);
        Assert.Contains("--demo-token-file", ConsoleOptions.Help, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void DemoTokenFileOthersCanRead_IsRefused()
    {
        var file = OwnerOnlyFile("hl_webform\n");
        try
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

            var (options, error) = ConsoleOptions.Parse(["--demo", "--demo-token-file", file], WithToken);

            Assert.Null(options);
            Assert.Contains("chmod 600", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData(new[] { "--help" }, null)]
    [InlineData(new[] { "--bogus" }, "unknown option '--bogus'")]
    [InlineData(new[] { "--server", "ftp://x" }, "'ftp://x' is not an http or https address")]
    [InlineData(new[] { "--server" }, "--server needs a value")]
    [InlineData(new[] { "--token-file" }, "--token-file needs a value")]
    [InlineData(new[] { "--pin" }, "--pin needs a value")]
    [InlineData(new[] { "--colors", "256" }, "--colors takes full, 16 or mono, not '256'")]
    [InlineData(new[] { "--no-bell", "-h" }, null)]
    public void HelpAndMistakes_ReturnNoOptions(string[] args, string? error)
    {
        var parsed = ConsoleOptions.Parse(args, WithToken);

        Assert.Null(parsed.Options);
        Assert.Equal(error, parsed.Error);
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static string OwnerOnlyFile(string text)
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, text);
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return file;
    }
}
