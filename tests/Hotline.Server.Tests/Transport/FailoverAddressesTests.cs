using Grpc.Core;
using Hotline.Contract.Client;

namespace Hotline.Server.Tests.Transport;

/// <summary>What <see cref="HotlineChannel"/> accepts as a list of server addresses, and what it says about the rest.</summary>
public sealed class FailoverAddressesTests
{
    private static readonly PinnedCertificate Pin = PinnedCertificate.Parse(new string('a', 64));

    [Theory]
    [InlineData("https://a.example.org:5171", "http://127.0.0.1:5172", "'http://127.0.0.1:5172/' is http:// but 'https://a.example.org:5171/' is https://")]
    [InlineData("http://127.0.0.1:5171", "https://b.example.org:5171", "'https://b.example.org:5171/' is https:// but 'http://127.0.0.1:5171/' is http://")]
    [InlineData("http://127.0.0.1:5171", "http://10.0.0.2:5171", "Refusing plaintext to http://10.0.0.2:5171/")]
    [InlineData("https://a.example.org:5171", "https://A.example.org:5171", "'https://a.example.org:5171/' is listed twice")]
    [InlineData("https://a.example.org:5171", "https://b.example.org:5171/hotline", "'https://b.example.org:5171/hotline' has more than a scheme, host and port")]
    [InlineData("https://a.example.org:5171", "ftp://b.example.org", "'ftp://b.example.org/' is not an http:// or https:// server address")]
    public void BadAddress_IsRefusedByName(string first, string second, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => HotlineChannel.ValidateAddresses([new Uri(first), new Uri(second)]));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoAddress_IsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => HotlineChannel.Create(Array.Empty<Uri>()));

        Assert.StartsWith("At least one server address is needed.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PinsWithPlaintextAddresses_AreRefused()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            HotlineChannel.Create([new Uri("http://127.0.0.1:5171"), new Uri("http://127.0.0.1:5172")], [Pin]));

        Assert.Equal("pins", error.ParamName);
    }

    [Fact]
    public void SeveralGoodAddresses_OpenOneChannelThatConnectsOnlyWhenCalled()
    {
        using var channel = HotlineChannel.Create([new Uri("https://a.example.org:5171"), new Uri("https://b.example.org:5171"), new Uri("https://[2001:db8::1]:5171")],
            [Pin]);

        Assert.Equal(ConnectivityState.Idle, channel.State);
    }

    [Fact]
    public void OneAddress_IsTheSingleServerChannelAsBefore()
    {
        using var channel = HotlineChannel.Create([new Uri("http://127.0.0.1:5171")]);

        Assert.Equal("127.0.0.1:5171", channel.Target);
    }
}
