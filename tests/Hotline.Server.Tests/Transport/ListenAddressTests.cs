using System.Net;
using Hotline.Server.Transport;

namespace Hotline.Server.Tests.Transport;

public sealed class ListenAddressTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5171", false, "127.0.0.1", false, 5171, true)]
    [InlineData("http://127.0.0.1:0", false, "127.0.0.1", false, 0, true)]
    [InlineData("http://127.1.2.3:80/", false, "127.1.2.3", false, 80, true)]
    [InlineData("HTTP://[::1]:5171", false, "::1", false, 5171, true)]
    [InlineData("http://localhost:5171", false, null, true, 5171, true)]
    [InlineData("https://0.0.0.0:443", true, "0.0.0.0", false, 443, false)]
    [InlineData("https://[::]:5171", true, "::", false, 5171, false)]
    [InlineData("https://*:5171", true, null, false, 5171, false)]
    [InlineData("https://+:5171", true, null, false, 5171, false)]
    [InlineData("https://10.0.0.7", true, "10.0.0.7", false, 443, false)]
    [InlineData("http://[::ffff:127.0.0.1]:1", false, "::ffff:127.0.0.1", false, 1, true)]
    public void Parse_ValidAddress_ReadsSchemeHostPortAndLoopback(string text, bool tls, string? ip, bool localhost, int port, bool loopback)
    {
        var address = ListenAddress.Parse(text);
        Assert.Equal(tls, address.Tls);
        Assert.Equal(ip is null ? null : IPAddress.Parse(ip), address.Ip);
        Assert.Equal(localhost, address.IsLocalhost);
        Assert.Equal(port, address.Port);
        Assert.Equal(loopback, address.IsLoopback);
    }

    [Theory]
    [InlineData("127.0.0.1:5171")]
    [InlineData("grpc://127.0.0.1:5171")]
    [InlineData("https://hotline.example.org:443")]
    [InlineData("https://1:443")]
    [InlineData("https://::1:443")]
    [InlineData("https://[::1:443")]
    [InlineData("https://[::1]x")]
    [InlineData("https://127.0.0.1:99999")]
    [InlineData("https://127.0.0.1:port")]
    [InlineData("https://127.0.0.1:443/hotline")]
    [InlineData("https://localhost:0")]
    [InlineData("https://:443")]
    public void Parse_UnusableAddress_IsFormatErrorNamingIt(string text)
    {
        var error = Assert.Throws<FormatException>(() => ListenAddress.Parse(text));
        Assert.Contains(text, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnixSocket_IsLocal()
    {
        var address = ListenAddress.Parse("http://unix:/run/hotline/admin.sock");
        Assert.True(address.IsUnixSocket);
        Assert.True(address.IsLoopback);
        Assert.Equal("/run/hotline/admin.sock", address.UnixSocketPath);
        Assert.Throws<FormatException>(() => ListenAddress.Parse("http://unix:admin.sock"));
    }

    [Fact]
    public void ParseList_SplitsOnSemicolons()
    {
        var addresses = ListenAddress.ParseList(" https://0.0.0.0:5171 ; http://127.0.0.1:5172;");
        Assert.Equal(["https://0.0.0.0:5171", "http://127.0.0.1:5172"], addresses.Select(a => a.Text));
    }

    [Fact]
    public void ParseList_Empty_IsFormatError()
    {
        Assert.Throws<FormatException>(() => ListenAddress.ParseList(" "));
    }
}
