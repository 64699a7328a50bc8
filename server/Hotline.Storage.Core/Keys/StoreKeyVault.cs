using System.Security.Cryptography;
using Hotline.Domain;

namespace Hotline.Storage;

/// <summary>
/// The store's <see cref="IKeyVault"/>: holds the keys derived from the master key while unlocked.
/// Every operation that seals or opens a field holds a <see cref="KeyLease"/> (a read lock) for as
/// long as it uses the keys; locking takes the write lock, so it waits for those operations to end
/// and then zeroes the keys, and no operation ever runs with half-erased keys. No unwrapped data key
/// outlives the operation that needed it, so the derived keys are all there is to erase.
/// The locked state is written to the database through the store's writer (with its audit record)
/// and is read again on open: a restarted server stays locked, and starts without the master key.
/// All members are safe to call from any thread except the store's writer thread (a change listener).
/// </summary>
public sealed class StoreKeyVault : IKeyVault, IDisposable
{
    /// <summary>Who the audit trail names when lockdown comes through <see cref="IKeyVault"/>, which carries no caller.</summary>
    public const string DefaultActor = OperatorCommand.AdministratorActor;

    private static readonly TimeSpan PersistTimeout = TimeSpan.FromSeconds(30);

    private readonly ReaderWriterLockSlim _gate = new(LockRecursionPolicy.NoRecursion);
    private readonly byte[] _keyCheck;
    private KeyRing? _ring;
    private Func<bool, string, Task>? _persist;
    private int _disposed;

    internal StoreKeyVault(byte[] keyCheck, KeyRing? ring)
    {
        _keyCheck = keyCheck;
        _ring = ring;
    }

    public bool IsLocked => Volatile.Read(ref _ring) is null;

    /// <summary>The ring in use, for tests that check it is erased on lock.</summary>
    internal KeyRing? CurrentRing => Volatile.Read(ref _ring);


    /// <summary>
    /// Records the lockdown (audited as <paramref name="actor"/>), then erases the keys. The keys are
    /// erased even when recording fails (a full or broken disk): a panic must never leave them in
    /// memory. The exception then says the lockdown holds only until the process ends.
    /// </summary>
    public async Task LockAsync(string actor, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(actor);
        if (IsLocked)
        {
            return;
        }
        Exception? failure = null;
        try
        {
            await PersistAsync(locked: true, actor).WaitAsync(PersistTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (DomainException ex) when (ex.Reason == ErrorReasons.LockedDown)
        {
            // Another lockdown got there first; it recorded itself.
        }
        catch (Exception ex)
        {
            failure = ex;
        }
        Drop();
        if (failure is not null)
        {
            throw new IOException(
                "The keys were erased from memory, but the lockdown could not be recorded in the database: a restart would not stay locked.",
                failure);
        }
    }

    /// <summary>Erases the keys without recording a lockdown: another server sharing the database recorded it.</summary>
    public void DropKeys()
    {
        if (Volatile.Read(ref _disposed) == 0)
        {
            Drop();
        }
    }

    /// <summary>
    /// Checks <paramref name="masterKey"/> against the key-check value made when the data directory was
    /// created, takes the keys back and records the unlock. Unlocking an unlocked vault only checks the key.
    /// </summary>
    /// <returns>True when it ended a lockdown; false when the vault was not locked.</returns>
    /// <exception cref="DomainException">PERMISSION_DENIED, MASTER_KEY_MISMATCH: not the key the data was sealed with.</exception>
    public async Task<bool> UnlockAsync(byte[] masterKey, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(masterKey);
        ArgumentException.ThrowIfNullOrEmpty(actor);
        var ring = Verify(masterKey);
        if (!Install(ring))
        {
            return false;
        }
        try
        {
            await PersistAsync(locked: false, actor).WaitAsync(PersistTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Drop();
            throw;
        }
        return true;
    }

    /// <summary>Erases the keys. Safe to call more than once: the store and the host's container both dispose it.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        Drop();
        _gate.Dispose();
    }

    /// <summary>The keys, held until the lease is disposed; LOCKED_DOWN while locked.</summary>
    /// <param name="write">Whether the caller is about to write: decides UNAVAILABLE (retry) or FAILED_PRECONDITION.</param>
    internal KeyLease Enter(bool write) => TryEnter() ?? throw DomainException.LockedDown(write);

    internal KeyLease? TryEnter()
    {
        _gate.EnterReadLock();
        var ring = _ring;
        if (ring is null)
        {
            _gate.ExitReadLock();
            return null;
        }
        return new KeyLease(ring, _gate);
    }

    /// <summary>The ring of <paramref name="masterKey"/>; a key of the wrong length is refused with the advice an operator needs.</summary>
    /// <exception cref="MasterKeyException">The key is not 32 bytes.</exception>
    internal static KeyRing DeriveRing(ReadOnlySpan<byte> masterKey) => masterKey.Length == KeyRing.MasterKeyLength
        ? KeyRing.Derive(masterKey)
        : throw MasterKeyException.Malformed($"it is {masterKey.Length} bytes long, not {KeyRing.MasterKeyLength}");

    internal void ConnectWriter(Func<bool, string, Task> persist) => _persist = persist;

    /// <summary>Checks a master key without changing anything.</summary>
    internal KeyRing Verify(ReadOnlySpan<byte> masterKey)
    {
        KeyRing ring;
        try
        {
            ring = DeriveRing(masterKey);
        }
        catch (MasterKeyException)
        {
            throw Mismatch();
        }
        if (!ring.Opens(_keyCheck))
        {
            ring.Dispose();
            throw Mismatch();
        }
        return ring;
    }

    private static DomainException Mismatch() =>
        new(ErrorKind.PermissionDenied, ErrorReasons.MasterKeyMismatch,
            "That is not the master key this installation's data was sealed with; the server stays locked.");

    private Task PersistAsync(bool locked, string actor) =>
        (_persist ?? throw new InvalidOperationException("The vault is not connected to a store."))(locked, actor);

    /// <returns>False when the vault was already unlocked (the ring passed in is then erased).</returns>
    private bool Install(KeyRing ring)
    {
        _gate.EnterWriteLock();
        try
        {
            if (_ring is not null)
            {
                ring.Dispose();
                return false;
            }
            Volatile.Write(ref _ring, ring);
            return true;
        }
        finally
        {
            _gate.ExitWriteLock();
        }
    }

    private void Drop()
    {
        _gate.EnterWriteLock();
        try
        {
            var ring = _ring;
            Volatile.Write(ref _ring, null);
            ring?.Dispose();
        }
        finally
        {
            _gate.ExitWriteLock();
        }
    }
}

/// <summary>Use of the keys for one operation; disposing it lets a lockdown erase them.</summary>
internal sealed class KeyLease(KeyRing ring, ReaderWriterLockSlim gate) : IDisposable
{
    private bool _disposed;

    public KeyRing Ring => _disposed ? throw new ObjectDisposedException(nameof(KeyLease)) : ring;

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            gate.ExitReadLock();
        }
    }
}
