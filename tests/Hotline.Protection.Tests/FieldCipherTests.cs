using System.Text;

namespace Hotline.Protection.Tests;

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
        using var ring = KeyRing.Derive(TestKeys.MasterKey);
        var other = TestKeys.MasterKey;
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

    [Fact]
    public void SealedLength_DoesNotTellShortTextsApart()
    {
        using var sealer = new RequestSealer("aaaaaaaaaaaaaaaaaaaa", DataKey);
        string[] shortTexts = ["", "+7 928 000-00-00", "@a", "tg:someone_with_a_rather_long_handle", "Гудермес", "ok"];
        var lengths = shortTexts.Select(text => sealer.Seal("contact", text).Length).Distinct().ToList();

        Assert.Equal([FieldCipher.Overhead + FieldCipher.MinimumPaddedLength], lengths);
        Assert.Equal(sealer.Seal("message", new string('x', 1000)).Length, sealer.Seal("message", new string('x', 1010)).Length);
        foreach (var text in shortTexts)
        {
            Assert.Equal(text, sealer.Open("contact", sealer.Seal("contact", text)));
        }
    }

    [Fact]
    public void PaddedLength_FitsTheTextAndAddsAtMostAnEighth()
    {
        var previous = 0;
        for (var length = 0; length <= 200_000; length++)
        {
            var padded = FieldCipher.PaddedLength(length);
            Assert.True(padded >= length, $"length {length} padded to {padded}");
            Assert.True(padded >= previous, $"length {length} padded to {padded}, below {previous}");
            Assert.True(length <= FieldCipher.MinimumPaddedLength ? padded == FieldCipher.MinimumPaddedLength : padded <= length * 1.125,
                $"length {length} padded to {padded}");
            previous = padded;
        }
        // Far fewer distinct sizes than lengths: that is what hides the length.
        Assert.True(Enumerable.Range(0, 4_097).Select(FieldCipher.PaddedLength).Distinct().Count() < 100);
    }

    [Fact]
    public void FieldSealedBeforePadding_StillOpens()
    {
        using var sealer = new RequestSealer("aaaaaaaaaaaaaaaaaaaa", DataKey);
        var legacy = FieldCipher.Seal(DataKey, FieldCipher.AssociatedData("aaaaaaaaaaaaaaaaaaaa", "message"), Encoding.UTF8.GetBytes("старое сообщение"));

        Assert.Equal(FieldCipher.Version, legacy[0]);
        Assert.Equal("старое сообщение", sealer.Open("message", legacy));
    }

    [Fact]
    public void PaddedBlob_RelabelledAsUnpadded_DoesNotOpen()
    {
        using var sealer = new RequestSealer("aaaaaaaaaaaaaaaaaaaa", DataKey);
        var blob = sealer.Seal("message", "нужна помощь");
        Assert.Equal(FieldCipher.PaddedVersion, blob[0]);

        blob[0] = FieldCipher.Version;

        Assert.Throws<System.Security.Cryptography.CryptographicException>(() => sealer.Open("message", blob));
    }

    [Theory]
    [InlineData(5, 0, true)]
    [InlineData(60, 0, true)]
    [InlineData(-1, 0, false)]
    [InlineData(61, 0, false)]
    [InlineData(5, 7, false)]
    public void PaddedBlob_OpensOnlyWhenWellFramed(int declaredLength, int nonZeroAt, bool opens)
    {
        // Sealed correctly under the right key, framed by hand: a declared length that does not fit,
        // or padding that is not zeros, was not written by Hotline and must not open.
        var associated = FieldCipher.AssociatedData("aaaaaaaaaaaaaaaaaaaa", "message");
        var framed = new byte[FieldCipher.MinimumPaddedLength];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(framed, declaredLength);
        if (nonZeroAt > 0)
        {
            framed[4 + declaredLength + nonZeroAt] = 1;
        }
        var blob = new byte[FieldCipher.Overhead + framed.Length];
        blob[0] = FieldCipher.PaddedVersion;
        using (var aes = new System.Security.Cryptography.AesGcm(DataKey, FieldCipher.TagLength))
        {
            aes.Encrypt(blob.AsSpan(1, FieldCipher.NonceLength), framed, blob.AsSpan(FieldCipher.Overhead),
                blob.AsSpan(1 + FieldCipher.NonceLength, FieldCipher.TagLength), [FieldCipher.PaddedVersion, .. associated]);
        }
        using var sealer = new RequestSealer("aaaaaaaaaaaaaaaaaaaa", DataKey);

        if (opens)
        {
            Assert.Equal(new string('\0', declaredLength), sealer.Open("message", blob));
        }
        else
        {
            Assert.Throws<System.Security.Cryptography.CryptographicException>(() => sealer.Open("message", blob));
        }
    }
}
