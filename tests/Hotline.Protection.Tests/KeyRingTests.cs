namespace Hotline.Protection.Tests;

public sealed class KeyRingTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(33)]
    public void AMasterKeyOfTheWrongLength_IsRefused(int length)
    {
        Assert.Throws<ArgumentException>(() => KeyRing.Derive(new byte[length]));
    }

    [Fact]
    public void Dispose_ErasesEveryKey()
    {
        var ring = KeyRing.Derive(TestKeys.MasterKey);
        Assert.False(ring.IsErased);

        ring.Dispose();

        Assert.True(ring.IsErased);
    }

    [Fact]
    public void IntakeKeys_AreKeyedUrlSafeAndStable()
    {
        using var ring = KeyRing.Derive(TestKeys.MasterKey);
        var other = TestKeys.MasterKey;
        other[9] ^= 1;
        using var otherRing = KeyRing.Derive(other);

        var key = ring.IntakeKey("integrator\0order-1");

        Assert.Equal(key, ring.IntakeKey("integrator\0order-1"));
        Assert.NotEqual(key, ring.IntakeKey("integrator\0order-2"));
        Assert.NotEqual(key, otherRing.IntakeKey("integrator\0order-1"));
        Assert.DoesNotContain('=', key);
        Assert.DoesNotContain('+', key);
        Assert.DoesNotContain('/', key);
    }
}
