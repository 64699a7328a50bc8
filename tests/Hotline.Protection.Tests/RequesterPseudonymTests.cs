using System.Text;
using Hotline.Domain;

namespace Hotline.Protection.Tests;

public sealed class RequesterPseudonymTests
{
    [Fact]
    public void OneNumberInFourFormats_HasOnePseudonym()
    {
        using var ring = KeyRing.Derive(TestKeys.MasterKey);
        string[] formats = ["+7 928 000-00-01", "tel:+79280000001", "0079280000001", "+7 (928) 000.00.01"];

        var pseudonyms = formats.Select(f => Convert.ToHexString(RequesterPseudonym.Of(ring, Channel.Phone, f)!)).Distinct().ToList();

        Assert.Single(pseudonyms);
        Assert.Equal(Convert.ToHexString(RequesterPseudonym.Of(ring, Channel.Sms, "+79280000001")!), pseudonyms[0]);
    }

    [Fact]
    public void AUsername_IsLinkedWithinItsMessengerOnly()
    {
        using var ring = KeyRing.Derive(TestKeys.MasterKey);

        Assert.Equal(RequesterPseudonym.Of(ring, Channel.Telegram, "@someone"), RequesterPseudonym.Of(ring, Channel.Telegram, "t.me/someone"));
        Assert.NotEqual(RequesterPseudonym.Of(ring, Channel.Telegram, "@someone"), RequesterPseudonym.Of(ring, Channel.Signal, "@someone"));
    }

    [Fact]
    public void AnEmptyHandle_HasNoPseudonym()
    {
        using var ring = KeyRing.Derive(TestKeys.MasterKey);

        Assert.Null(RequesterPseudonym.Of(ring, Channel.Phone, "  "));
    }

    [Fact]
    public void ThePseudonym_IsAKeyedHashNotTheHandle()
    {
        using var ring = KeyRing.Derive(TestKeys.MasterKey);
        var other = TestKeys.MasterKey;
        other[5] ^= 1;
        using var otherRing = KeyRing.Derive(other);

        var pseudonym = RequesterPseudonym.Of(ring, Channel.Phone, "+79280000001")!;

        Assert.Equal(KeyRing.PseudonymLength, pseudonym.Length);
        Assert.True(pseudonym.AsSpan().IndexOf(Encoding.UTF8.GetBytes("79280000001")) < 0);
        Assert.NotEqual(pseudonym, RequesterPseudonym.Of(otherRing, Channel.Phone, "+79280000001"));
        Assert.NotEqual(pseudonym, System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes("phone:79280000001")));
    }
}
