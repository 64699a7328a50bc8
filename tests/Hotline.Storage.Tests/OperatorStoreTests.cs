using System.Text;
using Hotline.Domain;

namespace Hotline.Storage.Tests;

public sealed class OperatorStoreTests
{
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
    public async Task ConcurrentAdds_AreGroupCommitted_AndNoneIsLost()
    {
        using var store = TestStore.InMemory();
        await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            store.ExecuteAsync(new AddOperatorCommand($"op{i:000}", $"Operator {i}", Role.Operator, AccessTokens.Hash(AccessTokens.New())), CancellationToken.None))).DefaultTimeout();
        Assert.Equal(200, (await store.ReadOperatorsAsync(CancellationToken.None).DefaultTimeout()).Count);
        Assert.True(store.BatchCount < 200, $"{store.BatchCount} transactions for 200 adds");
    }

}
