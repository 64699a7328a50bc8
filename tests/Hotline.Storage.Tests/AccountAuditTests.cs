using Hotline.Domain;
using LiteDB;

namespace Hotline.Storage.Tests;

/// <summary>
/// Changes to operator accounts land in the audit chain like request mutations: same transaction,
/// naming who acted and which account, never the token; during a lockdown they wait for the unlock.
/// </summary>
public sealed class AccountAuditTests
{
    [Fact]
    public async Task AccountRecords_HoldNoTokenOrHash()
    {
        using var directory = new TempDirectory();
        var token = AccessTokens.New();
        var hash = AccessTokens.Hash(token);
        using (var store = TestStore.InDirectory(directory.Path))
        {
            await store.ExecuteAsync(new AddOperatorCommand("anna", "Anna K.", Role.Operator, hash), CancellationToken.None).DefaultTimeout();
        }
        using var db = new LiteDatabase(Path.Combine(directory.Path, "hotline.db"));
        var record = Assert.Single(db.GetCollection(AuditDocument.Collection).FindAll());

        Assert.Equal("anna", record[AuditDocument.OperatorField].AsString);
        var text = record.ToString();
        Assert.DoesNotContain(token, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(hash), text, StringComparison.Ordinal);
        Assert.Equal(["_id", "time", "actor", "action", AuditDocument.RequestKeysField, "prev", "hash", AuditDocument.OperatorField],
            record.Keys.ToList());
    }

    [Fact]
    public async Task ChangesDuringLockdown_AreChainedAtUnlock_BeforeTheUnlockRecord_WithTheirOwnTime()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TestData.Start);
        using var store = TestStore.InMemory(time: time);
        await store.ExecuteAsync(new AddOperatorCommand("anna", "Anna K.", Role.Operator, AccessTokens.Hash(AccessTokens.New())),
            CancellationToken.None).DefaultTimeout();
        await store.Vault.LockAsync("admin", CancellationToken.None).DefaultTimeout();
        time.Advance(TimeSpan.FromMinutes(5));
        var revokedAt = time.GetUtcNow();
        // Revoking must work while locked: the keys that sign the chain are gone, the account change is not sealed.
        var disabled = await store.ExecuteAsync(new SetDisabledCommand("anna", Disabled: true), CancellationToken.None).DefaultTimeout();
        Assert.True(disabled.Account.Disabled);
        Assert.DoesNotContain((await store.ListAuditAsync(null, 0, 100, CancellationToken.None).DefaultTimeout()).Records,
            r => r.Action == AuditAction.OperatorDisabled);
        Assert.Equal(1, (await store.VerifyAuditAsync(TestStore.MasterKey, CancellationToken.None).DefaultTimeout()).AccountChangesAwaitingUnlock);
        time.Advance(TimeSpan.FromMinutes(5));

        Assert.True(await store.Vault.UnlockAsync(TestStore.MasterKey, "admin", CancellationToken.None).DefaultTimeout());

        var all = (await store.ListAuditAsync(null, 0, 100, CancellationToken.None).DefaultTimeout()).Records;
        Assert.Equal([AuditAction.OperatorAdded, AuditAction.Locked, AuditAction.OperatorDisabled, AuditAction.Unlocked], all.Select(r => r.Action));
        Assert.Equal(revokedAt, all[2].Time);
        Assert.Equal("anna", all[2].OperatorId);
        var afterUnlock = await store.VerifyAuditAsync(TestStore.MasterKey, CancellationToken.None).DefaultTimeout();
        Assert.True(afterUnlock.Intact);
        Assert.Equal(0, afterUnlock.AccountChangesAwaitingUnlock);
        Assert.False(await store.Vault.UnlockAsync(TestStore.MasterKey, "admin", CancellationToken.None).DefaultTimeout());
        Assert.Equal(4, (await store.ListAuditAsync(null, 0, 100, CancellationToken.None).DefaultTimeout()).Records.Count);
    }

    [Fact]
    public async Task DeferredChanges_SurviveARestartWhileLocked()
    {
        using var directory = new TempDirectory();
        using (var store = TestStore.InDirectory(directory.Path))
        {
            await store.ExecuteAsync(new AddOperatorCommand("anna", "Anna K.", Role.Operator, AccessTokens.Hash(AccessTokens.New())),
                CancellationToken.None).DefaultTimeout();
            await store.Vault.LockAsync("admin", CancellationToken.None).DefaultTimeout();
        }
        using (var locked = TestStore.InDirectory(directory.Path, withoutKey: true))
        {
            await locked.ExecuteAsync(new ReplaceTokenCommand("anna", AccessTokens.Hash(AccessTokens.New())), CancellationToken.None).DefaultTimeout();
        }
        using var reopened = TestStore.InDirectory(directory.Path);
        await reopened.Vault.UnlockAsync(TestStore.MasterKey, "admin", CancellationToken.None).DefaultTimeout();

        var all = (await reopened.ListAuditAsync(null, 0, 100, CancellationToken.None).DefaultTimeout()).Records;
        Assert.Equal([AuditAction.OperatorAdded, AuditAction.Locked, AuditAction.OperatorTokenRotated, AuditAction.Unlocked], all.Select(r => r.Action));
        Assert.True((await reopened.VerifyAuditAsync(CancellationToken.None).DefaultTimeout()).Intact);
    }

    [Fact]
    public async Task RemovingTheAccountFromARecord_IsCaughtAsAltered()
    {
        using var directory = new TempDirectory();
        using (var store = TestStore.InDirectory(directory.Path))
        {
            await store.ExecuteAsync(new AddOperatorCommand("anna", "Anna K.", Role.Operator, AccessTokens.Hash(AccessTokens.New())),
                CancellationToken.None).DefaultTimeout();
            await store.ExecuteAsync(new SetDisabledCommand("anna", Disabled: true), CancellationToken.None).DefaultTimeout();
            await store.ExecuteAsync(new SetDisabledCommand("anna", Disabled: false), CancellationToken.None).DefaultTimeout();
        }
        using (var db = new LiteDatabase(Path.Combine(directory.Path, "hotline.db")))
        {
            var audit = db.GetCollection(AuditDocument.Collection);
            var second = audit.FindById(2);
            second[AuditDocument.OperatorField] = "someone-else";
            Assert.True(audit.Update(second));
        }
        using var reopened = TestStore.InDirectory(directory.Path);

        var result = await reopened.VerifyAuditAsync(CancellationToken.None).DefaultTimeout();

        Assert.False(result.Intact);
        Assert.Equal((AuditChainProblem.RecordAltered, 2L), (result.Problem, result.Position));
    }

    [Fact]
    public async Task VerifyWithTheMasterKey_WhileLocked_ChecksAndStaysLocked_AndAWrongKeyIsRefused()
    {
        using var store = TestStore.InMemory();
        await store.SubmitAsync(TestData.Submission("v"), CancellationToken.None).DefaultTimeout();
        await store.Vault.LockAsync("admin", CancellationToken.None).DefaultTimeout();

        var result = await store.VerifyAuditAsync(TestStore.MasterKey, CancellationToken.None).DefaultTimeout();
        var wrong = await Assert.ThrowsAsync<DomainException>(() => store.VerifyAuditAsync(new byte[32], CancellationToken.None).DefaultTimeout());

        Assert.True(result.Intact, result.Detail);
        Assert.Equal(2, result.RecordsChecked);
        Assert.Equal(0, result.AccountChangesAwaitingUnlock);
        Assert.True(store.Vault.IsLocked);
        Assert.Equal(ErrorReasons.MasterKeyMismatch, wrong.Reason);
    }

}
