using Hotline.Domain;

namespace Hotline.Storage;

// Operator accounts: changes go through the writer like every other write; the list is read on the caller's thread.
// Commands arrive checked (OperatorCommand.Validate, called by the server's OperatorDirectory): the store only stores.
public sealed partial class LiteDbRequestStore : IOperatorStore
{
    public Task<OperatorRecord> ExecuteAsync(OperatorCommand command, CancellationToken cancellationToken) =>
        _writes.ExecuteAsync(command, cancellationToken);

    public async Task<IReadOnlyList<OperatorRecord>> ReadOperatorsAsync(CancellationToken cancellationToken)
    {
        using var lease = await _reads.EnterAsync(cancellationToken).ConfigureAwait(false);
        return [.. _schema.Operators.FindAll().Select(OperatorDocument.FromBson).OrderBy(o => o.Id, StringComparer.Ordinal)];
    }
}
