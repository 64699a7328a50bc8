using Hotline.Domain;
using Hotline.Server.Access;

namespace Hotline.Server.Tests.Access;

/// <summary>
/// Operator-account changes are checked before they reach the store (issue 12, item 5: adapters
/// validate, the domain decides, stores store): a bad change is INVALID_ARGUMENT naming each field,
/// and the store is never asked.
/// </summary>
public sealed class OperatorDirectoryTests
{
    [Fact]
    public async Task BadAccountChange_IsInvalidArgumentNamingEachField_AndNeverReachesTheStore()
    {
        var store = new CountingStore();
        var directory = new OperatorDirectory(store, new SessionRegistry());

        var refused = await Assert.ThrowsAsync<DomainException>(() =>
            directory.ExecuteAsync(new AddOperatorCommand("Not An Id", "", Role.Unspecified, AccessTokens.Hash("t")), CancellationToken.None));

        Assert.Equal(ErrorKind.InvalidArgument, refused.Kind);
        Assert.Contains(refused.Violations, v => v.Field == "id");
        Assert.Equal(0, store.Executed);
        Assert.Null(directory.Find("Not An Id"));
    }

    [Fact]
    public async Task GoodAccountChange_IsStored_AndCached()
    {
        var store = new CountingStore();
        var directory = new OperatorDirectory(store, new SessionRegistry());

        var (record, ended) = await directory.ExecuteAsync(
            new AddOperatorCommand("anna", "Anna K.", Role.Operator, AccessTokens.Hash("t-anna")), CancellationToken.None);

        Assert.Equal(1, store.Executed);
        Assert.Equal(0, ended);
        Assert.Equal(record.Account, directory.Find("anna"));
    }

    private sealed class CountingStore : IOperatorStore
    {
        public int Executed { get; private set; }

        public Task<IReadOnlyList<OperatorRecord>> ReadOperatorsAsync(CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<OperatorRecord>>([]);

        public Task<OperatorRecord> ExecuteAsync(OperatorCommand command, CancellationToken cancellationToken)
        {
            Executed++;
            return Task.FromResult(command.Apply(null, DateTimeOffset.UnixEpoch));
        }
    }
}
