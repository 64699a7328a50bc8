using System.Security.Cryptography;
using System.Text;

namespace Hotline.Protection;

/// <summary>
/// Seals and opens the sensitive fields of one request under its data key. Holds the key only as
/// an AesGcm instance; disposing it erases that. Not thread-safe: one per operation.
/// </summary>
public sealed class RequestSealer : IDisposable
{
    private readonly AesGcm _aes;

    public RequestSealer(string requestId, ReadOnlySpan<byte> dataKey)
    {
        RequestId = requestId;
        _aes = new AesGcm(dataKey, FieldCipher.TagLength);
    }

    public string RequestId { get; }

    /// <summary>
    /// Unwraps the request's data key as the store kept it; null when it is gone (purged, so
    /// <paramref name="wrappedDataKey"/> is null) or does not open.
    /// </summary>
    public static RequestSealer? ForWrapped(KeyRing ring, string requestId, byte[]? wrappedDataKey)
    {
        ArgumentNullException.ThrowIfNull(ring);
        if (wrappedDataKey is null)
        {
            return null;
        }
        var dataKey = ring.UnwrapDataKey(requestId, wrappedDataKey);
        if (dataKey is null)
        {
            return null;
        }
        try
        {
            return new RequestSealer(requestId, dataKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    public byte[] Seal(string field, string text) =>
        FieldCipher.SealPadded(_aes, FieldCipher.AssociatedData(RequestId, field), Encoding.UTF8.GetBytes(text));

    /// <exception cref="CryptographicException">The blob was altered, or belongs to another request or field.</exception>
    public string Open(string field, byte[] sealedBlob)
    {
        var plaintext = FieldCipher.TryOpenPadded(_aes, FieldCipher.AssociatedData(RequestId, field), sealedBlob)
            ?? throw new CryptographicException($"Field {field} of request {RequestId} does not open under its data key: it was altered or moved.");
        return Encoding.UTF8.GetString(plaintext);
    }

    public void Dispose() => _aes.Dispose();
}
