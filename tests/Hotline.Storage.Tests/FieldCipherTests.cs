using System.Text;

namespace Hotline.Storage.Tests;

public sealed class FieldCipherTests
{
    private static readonly byte[] DataKey = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];

    [Fact]
    public void SealedField_OpensOnlyAsItself()
    {
        using var sealer = new RequestSealer("aaaaaaaaaaaaaaaaaaaa", DataKey);
        using var otherRequest = new RequestSealer("bbbbbbbbbbbbbbbbbbbb", DataKey);
        var blob = sealer.Seal("message", "нужна помощь");

        Assert.Equal("нужна помощь", sealer.Open("message", blob));
        Assert.Throws<System.Security.Cryptography.CryptographicException>(() => sealer.Open("region", blob));
        Assert.Throws<System.Security.Cryptography.CryptographicException>(() => otherRequest.Open("message", blob));
        foreach (var position in new[] { 0, 1, FieldCipher.Overhead - 1, blob.Length - 1 })
        {
            var altered = (byte[])blob.Clone();
            altered[position] ^= 0x40;
            Assert.Throws<System.Security.Cryptography.CryptographicException>(() => sealer.Open("message", altered));
        }
    }

    [Fact]
    public void SealingTheSameTextTwice_UsesFreshNonces()
    {
        using var sealer = new RequestSealer("aaaaaaaaaaaaaaaaaaaa", DataKey);
        var nonces = Enumerable.Range(0, 1_000).Select(_ => Convert.ToHexString(sealer.Seal("message", "same").AsSpan(1, FieldCipher.NonceLength))).ToHashSet();

        Assert.Equal(1_000, nonces.Count);
        Assert.True(sealer.Seal("message", "same").AsSpan().IndexOf(Encoding.UTF8.GetBytes("same")) < 0);
    }

    [Fact]
    public void WrappedDataKey_UnwrapsOnlyForItsRequestUnderItsMasterKey()
    {
        using var ring = KeyRing.Derive(TestStore.MasterKey);
        var other = TestStore.MasterKey;
        other[31] ^= 1;
        using var otherRing = KeyRing.Derive(other);
        var (dataKey, wrapped) = ring.NewDataKey("aaaaaaaaaaaaaaaaaaaa");

        Assert.Equal(dataKey, ring.UnwrapDataKey("aaaaaaaaaaaaaaaaaaaa", wrapped));
        Assert.Null(ring.UnwrapDataKey("bbbbbbbbbbbbbbbbbbbb", wrapped));
        Assert.Null(otherRing.UnwrapDataKey("aaaaaaaaaaaaaaaaaaaa", wrapped));
        Assert.True(ring.Opens(ring.NewKeyCheck()));
        Assert.False(otherRing.Opens(ring.NewKeyCheck()));
        Assert.NotEqual(ring.Pseudonym("phone:1"), otherRing.Pseudonym("phone:1"));
    }
}
