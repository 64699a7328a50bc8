using System.Security.Cryptography;
using Hotline.Domain;

namespace Hotline.Domain.Tests;

public sealed class AccessTokenTests
{
    [Fact]
    public void NewTokens_AreWellFormedUniqueAndCarry256Bits()
    {
        var tokens = Enumerable.Range(0, 1_000).Select(_ => AccessTokens.New()).ToList();
        Assert.All(tokens, t => Assert.Matches("^hl_[a-z2-7]{52}$", t));
        Assert.All(tokens, t => Assert.True(AccessTokens.IsWellFormed(t)));
        Assert.Equal(tokens.Count, tokens.Distinct().Count());
        // 52 base32 characters hold 260 bits; the last one carries only the secret's final bit.
        Assert.All(tokens, t => Assert.Contains(t[^1], "aq"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("hl_")]
    [InlineData("Bearer hl_aaaa")]
    [InlineData("hl_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("xx_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("hl_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1")]
    public void Malformed_IsRecognised(string token) => Assert.False(AccessTokens.IsWellFormed(token));

    [Fact]
    public void Hash_IsSha256OfTheText()
    {
        var token = AccessTokens.New();
        Assert.Equal(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)), AccessTokens.Hash(token));
    }

    [Fact]
    public void Record_AcceptsOnlyItsCurrentTokenWhileEnabled()
    {
        var token = AccessTokens.Hash(AccessTokens.New());
        var record = new OperatorRecord { Account = People.Anna, TokenHash = token, CreateTime = DateTimeOffset.UnixEpoch };
        Assert.True(record.Accepts(token));
        Assert.False(record.Accepts(AccessTokens.Hash(AccessTokens.New())));
        Assert.False((record with { Account = People.Anna with { Disabled = true } }).Accepts(token));
        Assert.False((record with { TokenHash = null }).Accepts(token));
    }
}
