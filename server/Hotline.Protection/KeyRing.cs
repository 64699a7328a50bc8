using System.Security.Cryptography;
using System.Text;

namespace Hotline.Protection;

/// <summary>
/// The keys derived from the master key while the store is unlocked. The master key itself is not
/// kept: each use gets its own key through HKDF-SHA256 with a distinct label, so a key that leaks
/// through one use (a pseudonym oracle, say) says nothing about the others.
/// <list type="bullet">
/// <item>key wrap: AES-256-GCM over each request's random data key;</item>
/// <item>pseudonym: HMAC-SHA256 over normalised contact handles;</item>
/// <item>audit: HMAC-SHA256 chaining the audit records;</item>
/// <item>key check: AES-256-GCM over a fixed value stored at creation, to tell a wrong master key from the right one;</item>
/// <item>intake keys: HMAC-SHA256 over integrators' idempotency keys, which they may have built from content.</item>
/// </list>
/// Not thread-safe to dispose while in use: the store's key vault only disposes it once no
/// operation holds it. Every method that only reads it is safe from any thread.
/// </summary>
public sealed class KeyRing : IDisposable
{
    public const int MasterKeyLength = 32;
    public const int DataKeyLength = 32;
    public const int PseudonymLength = 32;

    private static readonly byte[] KeyCheckPlaintext = "hotline master key check v1"u8.ToArray();

    private readonly byte[] _wrapKey;
    private readonly byte[] _pseudonymKey;
    private readonly byte[] _auditKey;
    private readonly byte[] _checkKey;
    private readonly byte[] _intakeKey;

    private KeyRing(byte[] wrapKey, byte[] pseudonymKey, byte[] auditKey, byte[] checkKey, byte[] intakeKey)
    {
        _intakeKey = intakeKey;
        _wrapKey = wrapKey;
        _pseudonymKey = pseudonymKey;
        _auditKey = auditKey;
        _checkKey = checkKey;
    }

    /// <exception cref="ArgumentException">The key is not <see cref="MasterKeyLength"/> bytes; a store checks this first and says what to do.</exception>
    public static KeyRing Derive(ReadOnlySpan<byte> masterKey)
    {
        if (masterKey.Length != MasterKeyLength)
        {
            throw new ArgumentException($"The master key is {masterKey.Length} bytes long, not {MasterKeyLength}.", nameof(masterKey));
        }
        return new KeyRing(
            DeriveKey(masterKey, "hotline/v1/data-key-wrap"),
            DeriveKey(masterKey, "hotline/v1/requester-pseudonym"),
            DeriveKey(masterKey, "hotline/v1/audit-chain"),
            DeriveKey(masterKey, "hotline/v1/master-key-check"),
            DeriveKey(masterKey, "hotline/v1/intake-idempotency-key"));
    }

    /// <summary>A fresh key-check value: only a ring derived from the same master key opens it.</summary>
    public byte[] NewKeyCheck() => FieldCipher.Seal(_checkKey, KeyCheckAssociatedData(), KeyCheckPlaintext);

    public bool Opens(ReadOnlySpan<byte> keyCheck)
    {
        var opened = FieldCipher.TryOpen(_checkKey, KeyCheckAssociatedData(), keyCheck);
        return opened is not null && CryptographicOperations.FixedTimeEquals(opened, KeyCheckPlaintext);
    }

    /// <summary>A new random data key for <paramref name="requestId"/>, and its wrapped form for the keys collection.</summary>
    public (byte[] DataKey, byte[] Wrapped) NewDataKey(string requestId)
    {
        var dataKey = RandomNumberGenerator.GetBytes(DataKeyLength);
        return (dataKey, FieldCipher.Seal(_wrapKey, DataKeyAssociatedData(requestId), dataKey));
    }

    /// <summary>The data key, or null when <paramref name="wrapped"/> was not wrapped for this request under this master key.</summary>
    public byte[]? UnwrapDataKey(string requestId, ReadOnlySpan<byte> wrapped) =>
        FieldCipher.TryOpen(_wrapKey, DataKeyAssociatedData(requestId), wrapped);

    /// <summary>The keyed hash of a contact handle already normalised (see <see cref="RequesterPseudonym"/>).</summary>
    public byte[] Pseudonym(string normalisedHandle) =>
        HMACSHA256.HashData(_pseudonymKey, Encoding.UTF8.GetBytes(normalisedHandle));

    /// <summary>The stored form of an intake idempotency key: URL-safe base64 of its HMAC.</summary>
    public string IntakeKey(string composite) =>
        Convert.ToBase64String(HMACSHA256.HashData(_intakeKey, Encoding.UTF8.GetBytes(composite))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public byte[] AuditHash(ReadOnlySpan<byte> canonicalRecord) => HMACSHA256.HashData(_auditKey, canonicalRecord);

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_wrapKey);
        CryptographicOperations.ZeroMemory(_pseudonymKey);
        CryptographicOperations.ZeroMemory(_auditKey);
        CryptographicOperations.ZeroMemory(_checkKey);
        CryptographicOperations.ZeroMemory(_intakeKey);
    }

    /// <summary>True once every key of the ring has been erased; for tests of lockdown.</summary>
    internal bool IsErased =>
        new[] { _wrapKey, _pseudonymKey, _auditKey, _checkKey, _intakeKey }.All(key => key.All(b => b == 0));

    /// <summary>Binds a wrapped key to its request: a wrapped key copied onto another request does not open.</summary>
    internal static byte[] DataKeyAssociatedData(string requestId) => FieldCipher.AssociatedData(requestId, "data-key");

    private static byte[] KeyCheckAssociatedData() => FieldCipher.AssociatedData("", "master-key-check");

    private static byte[] DeriveKey(ReadOnlySpan<byte> masterKey, string label)
    {
        var key = new byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, masterKey, key, salt: [], info: Encoding.ASCII.GetBytes(label));
        return key;
    }
}
