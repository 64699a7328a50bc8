namespace Hotline.Protection.Tests;

internal static class TestKeys
{
    /// <summary>A fixed master key; each call returns a fresh copy the test may change.</summary>
    public static byte[] MasterKey => [.. Enumerable.Range(1, 32).Select(i => (byte)(i * 7))];
}
