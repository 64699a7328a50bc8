using System.Security.Cryptography;
using Hotline.Contract.Client;
using Hotline.Server.Transport;

namespace Hotline.Server.Tests.Transport;

public sealed class PinnedCertificateTests
{
    [Fact]
    public void Of_MatchesTheCertificateAndPrintsOpensslStyle()
    {
        using var certificate = SelfSignedCertificate.Create(["localhost"], TimeSpan.FromDays(1));
        var pin = PinnedCertificate.Of(certificate);

        Assert.True(pin.Matches(certificate));
        var expected = string.Join(':', Convert.ToHexString(SHA256.HashData(certificate.RawData)).Chunk(2).Select(c => new string(c)));
        Assert.Equal("sha256:" + expected, pin.ToString());
    }

    [Fact]
    public void Parse_AcceptsWithAndWithoutColonsPrefixAndCase()
    {
        using var certificate = SelfSignedCertificate.Create(["localhost"], TimeSpan.FromDays(1));
        var hex = Convert.ToHexString(SHA256.HashData(certificate.RawData));
        var colons = PinnedCertificate.Of(certificate).ToString()["sha256:".Length..];

        foreach (var text in new[] { hex, hex.ToLowerInvariant(), colons, "sha256:" + hex, "SHA256:" + colons.ToLowerInvariant(), $"  {hex}  " })
        {
            Assert.True(PinnedCertificate.Parse(text).Matches(certificate), text);
            Assert.Equal(PinnedCertificate.Of(certificate), PinnedCertificate.Parse(text));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("sha256:")]
    [InlineData("AB:CD")]
    [InlineData("sha1:0123456789ABCDEF0123456789ABCDEF01234567")]
    [InlineData("0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEG")]
    [InlineData("0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF00")]
    public void Parse_NotASha256Fingerprint_IsRefused(string text)
    {
        Assert.False(PinnedCertificate.TryParse(text, out _));
        Assert.Throws<FormatException>(() => PinnedCertificate.Parse(text));
    }

    [Fact]
    public void Matches_AnotherCertificateOrNone_IsFalse()
    {
        using var pinned = SelfSignedCertificate.Create(["localhost"], TimeSpan.FromDays(1));
        using var other = SelfSignedCertificate.Create(["localhost"], TimeSpan.FromDays(1));
        var pin = PinnedCertificate.Of(pinned);

        Assert.False(pin.Matches(other));
        Assert.False(pin.Matches(null));
        Assert.True(HotlineChannel.AcceptsServerCertificate(other, [pin, PinnedCertificate.Of(other)]));
        Assert.False(HotlineChannel.AcceptsServerCertificate(other, [pin]));
        Assert.False(HotlineChannel.AcceptsServerCertificate(other, []));
    }

    [Theory]
    [InlineData("http://10.0.0.7:5171")]
    [InlineData("http://hotline.example.org:5171")]
    public void Channel_PlaintextBeyondLoopback_IsRefused(string address)
    {
        Assert.Throws<ArgumentException>(() => HotlineChannel.Create(new Uri(address)));
    }

    [Fact]
    public void Channel_PinOnPlaintextAddress_IsRefused()
    {
        using var certificate = SelfSignedCertificate.Create(["localhost"], TimeSpan.FromDays(1));
        Assert.Throws<ArgumentException>(() => HotlineChannel.Create(new Uri("http://127.0.0.1:5171"), [PinnedCertificate.Of(certificate)]));
    }

    [Theory]
    [InlineData("http://127.0.0.1:5171")]
    [InlineData("http://[::1]:5171")]
    [InlineData("http://localhost:5171")]
    [InlineData("https://hotline.example.org:5171")]
    public void Channel_LoopbackOrTls_IsCreated(string address)
    {
        using var channel = HotlineChannel.Create(new Uri(address));
        Assert.NotNull(channel);
    }
}
