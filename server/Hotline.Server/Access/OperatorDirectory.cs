using System.Collections.Frozen;
using System.Security.Cryptography;
using Hotline.Domain;

namespace Hotline.Server.Access;

/// <summary>
/// The accounts stored in the database, cached in memory so authenticating a call reads no disk.
/// Every change made here goes through <see cref="ExecuteAsync"/>: the store's writer decides and
/// commits it, then the cache takes the result and the sessions whose token it no longer accepts end.
/// Changes other servers on a shared database made arrive through <see cref="TakeFromElsewhere"/>
/// (the admin's security state follower reads them), with the same effect.
/// Reads see an immutable snapshot, swapped whole; safe from any thread. Empty until
/// <see cref="LoadAsync"/>, which the server's start-up sequence runs before any call can arrive.
/// </summary>
public sealed class OperatorDirectory(IOperatorStore store, SessionRegistry sessions) : IOperatorDirectory
{
    private readonly Lock _gate = new();
    private volatile Snapshot _snapshot = new([]);

    /// <summary>True once an enabled admin exists; false on a new installation.</summary>
    public bool HasAdmin => _snapshot.Records.Any(r => r.Account.Role == Role.Admin && !r.Account.Disabled);

    public IReadOnlyList<OperatorRecord> Records => _snapshot.Records;

    /// <summary>Reads every account from the store into the cache.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var records = await store.ReadOperatorsAsync(cancellationToken);
        lock (_gate)
        {
            _snapshot = new Snapshot(records);
        }
    }

    public OperatorAccount? Find(string operatorId) => _snapshot.ById.GetValueOrDefault(operatorId)?.Account;

    public IReadOnlyList<OperatorAccount> All() => _snapshot.Accounts;

    /// <summary>
    /// The account whose current token hashes to <paramref name="tokenHash"/>, disabled or not; null for none.
    /// Compares with every account in constant time and never stops at a match, so how long it takes
    /// says nothing about which stored hash a guess came close to.
    /// </summary>
    public OperatorRecord? FindByToken(ReadOnlySpan<byte> tokenHash)
    {
        OperatorRecord? match = null;
        foreach (var record in _snapshot.Records)
        {
            if (record.TokenHash is { } stored && CryptographicOperations.FixedTimeEquals(stored, tokenHash))
            {
                match = record;
            }
        }
        return match;
    }

    /// <summary>True while <paramref name="operatorId"/> is enabled and <paramref name="tokenHash"/> is its current token.</summary>
    public bool Accepts(string operatorId, byte[] tokenHash) =>
        _snapshot.ById.TryGetValue(operatorId, out var record) && record.Accepts(tokenHash);

    /// <summary>Checks a change (INVALID_ARGUMENT naming each bad field), stores it, updates the cache, and ends the sessions the change revoked.</summary>
    /// <returns>The account after the change, and how many sessions it ended.</returns>
    public async Task<(OperatorRecord Record, int EndedSessions)> ExecuteAsync(OperatorCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Validate();
        var record = await store.ExecuteAsync(command, cancellationToken);
        Take(record);
        // After the cache: a session that registers from now on re-checks its token against the
        // new record, and one that registered before is found here.
        var ended = sessions.EndFor(record.Id, hash => record.Accepts(hash), SessionEnd.TokenRevoked);
        return (record, ended);
    }

    /// <summary>
    /// Takes accounts as another server stored them, each unless the cache holds it at the same or a
    /// newer version, and ends the sessions whose token the account now cached refuses.
    /// </summary>
    /// <returns>How many accounts the cache took, and how many sessions ended.</returns>
    public (int Taken, int EndedSessions) TakeFromElsewhere(IReadOnlyList<OperatorRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var (taken, ended) = (0, 0);
        foreach (var record in records)
        {
            if (!Take(record))
            {
                continue;
            }
            taken++;
            // The cached record, which a newer change made here meanwhile may have replaced: the sessions answer to that.
            var current = _snapshot.ById[record.Id];
            ended += sessions.EndFor(record.Id, hash => current.Accepts(hash), SessionEnd.TokenRevoked);
        }
        return (taken, ended);
    }

    /// <returns>False when the cache already held the account at this or a newer version.</returns>
    private bool Take(OperatorRecord record)
    {
        lock (_gate)
        {
            var current = _snapshot;
            if (current.ById.TryGetValue(record.Id, out var cached) && cached.Version >= record.Version)
            {
                return false;
            }
            _snapshot = new Snapshot([.. current.Records.Where(r => r.Id != record.Id), record]);
            return true;
        }
    }

    private sealed class Snapshot
    {
        public Snapshot(IEnumerable<OperatorRecord> records)
        {
            Records = [.. records.OrderBy(r => r.Id, StringComparer.Ordinal)];
            ById = Records.ToFrozenDictionary(r => r.Id, StringComparer.Ordinal);
            Accounts = [.. Records.Select(r => r.Account)];
        }

        public IReadOnlyList<OperatorRecord> Records { get; }
        public FrozenDictionary<string, OperatorRecord> ById { get; }
        public IReadOnlyList<OperatorAccount> Accounts { get; }
    }
}
