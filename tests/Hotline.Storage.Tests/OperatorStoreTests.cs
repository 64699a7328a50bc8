using System.Text;
using Hotline.Domain;

namespace Hotline.Storage.Tests;

public sealed class OperatorStoreTests
{
    private static readonly byte[] FirstToken = AccessTokens.Hash(AccessTokens.New());
    private static readonly byte[] SecondToken = AccessTokens.Hash(AccessTokens.New());

    [Fact]
    public async Task Accounts_SurviveReopen_WithOnlyTheTokenHashOnDisk()
    {
        using var directory = new TempDirectory();
        var token = AccessTokens.New();
        using (var store = TestStore.InDirectory(directory.Path))
        {
            await store.ExecuteAsync(new AddOperatorCommand("anna", "Anna K.", Role.Operator, AccessTokens.Hash(token)), CancellationToken.None).DefaultTimeout();
            await store.ExecuteAsync(new AddOperatorCommand("lena", "Lena S.", Role.Supervisor, SecondToken), CancellationToken.None).DefaultTimeout();
            await store.ExecuteAsync(new SetDisabledCommand("lena", Disabled: true), CancellationToken.None).DefaultTimeout();
        }
        using (var reopened = TestStore.InDirectory(directory.Path))
        {
            var accounts = await reopened.ReadOperatorsAsync(CancellationToken.None).DefaultTimeout();
            Assert.Equal(["anna", "lena"], accounts.Select(a => a.Id));
            Assert.True(accounts[0].Accepts(AccessTokens.Hash(token)));
            Assert.True(accounts[1].Account.Disabled);
            Assert.False(accounts[1].Accepts(SecondToken));
        }
        foreach (var file in Directory.GetFiles(directory.Path))
        {
            Assert.DoesNotContain(token[3..], Encoding.UTF8.GetString(await File.ReadAllBytesAsync(file)), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Changes_AreDecidedOnTheWriter_AgainstTheStoredAccount()
    {
        using var store = TestStore.InMemory();
        var added = await store.ExecuteAsync(new AddOperatorCommand("anna", "Anna K.", Role.Operator, FirstToken), CancellationToken.None).DefaultTimeout();
        Assert.Equal(1, added.Version);

        var duplicate = await Assert.ThrowsAsync<DomainException>(() =>
            store.ExecuteAsync(new AddOperatorCommand("anna", "Other", Role.Admin, SecondToken), CancellationToken.None).DefaultTimeout());
        Assert.Equal(ErrorKind.AlreadyExists, duplicate.Kind);
        Assert.Equal(ErrorReasons.OperatorExists, duplicate.Reason);

        var missing = await Assert.ThrowsAsync<DomainException>(() =>
            store.ExecuteAsync(new SetDisabledCommand("nobody", true), CancellationToken.None).DefaultTimeout());
        Assert.Equal(ErrorReasons.OperatorNotFound, missing.Reason);

        // Ending a session with a token that is no longer current changes nothing.
        var stale = await store.ExecuteAsync(new ReplaceTokenCommand("anna", null, OnlyIfCurrent: SecondToken), CancellationToken.None).DefaultTimeout();
        Assert.Equal(1, stale.Version);
        Assert.True(stale.Accepts(FirstToken));

        var rotated = await store.ExecuteAsync(new ReplaceTokenCommand("anna", SecondToken), CancellationToken.None).DefaultTimeout();
        Assert.Equal(2, rotated.Version);
        Assert.False(rotated.Accepts(FirstToken));
        Assert.True(rotated.Accepts(SecondToken));
        Assert.Equal(TestData.Start, rotated.RotateTime);

        var revoked = await store.ExecuteAsync(new ReplaceTokenCommand("anna", null, OnlyIfCurrent: SecondToken), CancellationToken.None).DefaultTimeout();
        Assert.Null(revoked.TokenHash);
        Assert.Equal(0, store.CommittedRevision);
    }

    [Fact]
    public async Task ConcurrentAdds_AreGroupCommitted_AndNoneIsLost()
    {
        using var store = TestStore.InMemory();
        await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            store.ExecuteAsync(new AddOperatorCommand($"op{i:000}", $"Operator {i}", Role.Operator, AccessTokens.Hash(AccessTokens.New())), CancellationToken.None))).DefaultTimeout();
        Assert.Equal(200, (await store.ReadOperatorsAsync(CancellationToken.None).DefaultTimeout()).Count);
        Assert.True(store.BatchCount < 200, $"{store.BatchCount} transactions for 200 adds");
    }

    [Fact]
    public async Task InvalidAccounts_AreRefusedBeforeTheWriter()
    {
        using var store = TestStore.InMemory();
        var error = await Assert.ThrowsAsync<DomainException>(() =>
            store.ExecuteAsync(new AddOperatorCommand("Not Valid", "", Role.Unspecified, [1, 2, 3]), CancellationToken.None));
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Empty(await store.ReadOperatorsAsync(CancellationToken.None).DefaultTimeout());
    }
}
