using System.Security.Cryptography;
using System.Text;
using LiteDB;

namespace Hotline.Storage;

/// <summary>
/// Seals and opens the sensitive fields of one request under its data key. Holds the key only as
/// an AesGcm instance; disposing it erases that. Not thread-safe: one per operation.
/// </summary>
internal sealed class RequestSealer : IDisposable
{
    private readonly AesGcm _aes;

    public RequestSealer(string requestId, ReadOnlySpan<byte> dataKey)
    {
        RequestId = requestId;
        _aes = new AesGcm(dataKey, FieldCipher.TagLength);
    }

    public string RequestId { get; }

    /// <summary>Unwraps the request's data key from its keys document; null when it is gone (purged) or does not open.</summary>
    public static RequestSealer? ForStored(KeyRing ring, string requestId, BsonDocument? keyDocument)
    {
        if (keyDocument is null)
        {
            return null;
        }
        var dataKey = ring.UnwrapDataKey(requestId, DataKeyDocument.Wrapped(keyDocument));
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
    public string Open(string field, BsonValue sealedValue)
    {
        var plaintext = FieldCipher.TryOpenPadded(_aes, FieldCipher.AssociatedData(RequestId, field), sealedValue.AsBinary)
            ?? throw new CryptographicException($"Field {field} of request {RequestId} does not open under its data key: it was altered or moved.");
        return Encoding.UTF8.GetString(plaintext);
    }

    public void Dispose() => _aes.Dispose();
}
