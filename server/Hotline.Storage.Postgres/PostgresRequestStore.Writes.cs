using Hotline.Domain;
using Npgsql;

namespace Hotline.Storage.Postgres;

// Writes, queued to this server's writer (see StoreWrites), and operator accounts.
public sealed partial class PostgresRequestStore : IOperatorStore
{
    public Task<IntakeReceipt> SubmitAsync(NewHelpRequest submission, CancellationToken cancellationToken) =>
        _writes.SubmitAsync(submission, cancellationToken);

    public Task<HelpRequest> ExecuteAsync(string requestId, RequestCommand command, CancellationToken cancellationToken) =>
        _writes.ExecuteAsync(requestId, command, cancellationToken);

    /// <summary>Drops changes older than the newest <see cref="RequestStoreOptions.ChangeLogRetention"/> from the change log.</summary>
    /// <returns>How many changes were dropped.</returns>
    public Task<int> CompactAsync(CancellationToken cancellationToken) => _writes.CompactAsync(cancellationToken);

    public Task<bool> PurgeAsync(string requestId, string actor, CancellationToken cancellationToken) =>
        _writes.PurgeAsync(requestId, actor, cancellationToken);

    /// <summary>Purges in rounds of <see cref="RetentionRoundSize"/>, each its own transaction.</summary>
    public Task<int> PurgeClosedBeforeAsync(DateTimeOffset closedBefore, string actor, CancellationToken cancellationToken) =>
        _writes.PurgeClosedBeforeAsync(closedBefore, actor, RetentionRoundSize, cancellationToken);

    public Task<OperatorRecord> ExecuteAsync(OperatorCommand command, CancellationToken cancellationToken) =>
        _writes.ExecuteAsync(command, cancellationToken);

    /// <summary>Every account, by id, as committed by any server.</summary>
    public async Task<IReadOnlyList<OperatorRecord>> ReadOperatorsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _data.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT " + OperatorRows.Columns + " FROM operators ORDER BY id", connection);
        var found = new List<OperatorRecord>();
        await using var rows = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await rows.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            found.Add(OperatorRows.Read(rows));
        }
        return found;
    }
}
