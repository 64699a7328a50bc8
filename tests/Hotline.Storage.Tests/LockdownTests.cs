using Hotline.Domain;

namespace Hotline.Storage.Tests;

/// <summary>
/// Lockdown erases the keys, refuses every read of content and every write, survives a restart
/// (which then needs no master key), and is lifted only by the right master key.
/// </summary>
public sealed class LockdownTests
{
    [Fact]
    public async Task Lock_ErasesTheKeysAndRefusesReadsAndWrites()
    {
        using var store = TestStore.InMemory();
        var id = (await store.SubmitAsync(TestData.Submission("before"), CancellationToken.None).DefaultTimeout()).RequestId;
        var ring = store.Vault.CurrentRing!;

        await store.Vault.LockAsync("admin", CancellationToken.None).DefaultTimeout();

        Assert.True(store.Vault.IsLocked);
        Assert.True(ring.IsErased);
        AssertRead(await Assert.ThrowsAsync<DomainException>(() => store.GetAsync(id, TestData.Reader, CancellationToken.None).DefaultTimeout()));
        AssertRead(await Assert.ThrowsAsync<DomainException>(() => store.ListAsync(new RequestQuery(), TestData.Reader, CancellationToken.None).DefaultTimeout()));
        AssertRead(await Assert.ThrowsAsync<DomainException>(() => store.ReadWorkingSetAsync(WorkingSets.Window, CancellationToken.None).DefaultTimeout()));
        AssertRead(await Assert.ThrowsAsync<DomainException>(() => store.ReadChangesAsync(1, 10, CancellationToken.None).DefaultTimeout()));
        AssertRead(await Assert.ThrowsAsync<DomainException>(() => store.RecordWatchStartAsync(TestData.Reader, 0, CancellationToken.None).DefaultTimeout()));
        AssertWrite(await Assert.ThrowsAsync<DomainException>(() => store.SubmitAsync(TestData.Submission("during"), CancellationToken.None).DefaultTimeout()));
        AssertWrite(await Assert.ThrowsAsync<DomainException>(() =>
            store.ExecuteAsync(id, new AssignCommand(TestData.Operator(1), TestData.Operator(1)), CancellationToken.None).DefaultTimeout()));
        AssertWrite(await Assert.ThrowsAsync<DomainException>(() => store.PurgeAsync(id, "admin", CancellationToken.None).DefaultTimeout()));
        Assert.Equal(1, store.CommittedRevision);
    }

    [Fact]
    public async Task WorkingSetFoundBeforeALockdown_OpensNoPageAfterIt()
    {
        using var store = TestStore.InMemory();
        await store.SubmitAsync(TestData.Submission("before"), CancellationToken.None).DefaultTimeout();
        var workingSet = await store.ReadWorkingSetAsync(WorkingSets.Window, CancellationToken.None).DefaultTimeout();

        await store.Vault.LockAsync("admin", CancellationToken.None).DefaultTimeout();

        Assert.Equal(1, workingSet.Count);
        AssertRead(await Assert.ThrowsAsync<DomainException>(() => workingSet.ReadAllAsync()));
    }

    [Fact]
    public async Task WritesQueuedWhenTheLockdownLands_AreRefusedAndStoreNothing()
    {
        var listener = new RecordingListener();
        using var store = TestStore.InMemory(listener);
        listener.HoldNextBatch();
        var warmUp = store.SubmitAsync(TestData.Submission("warm-up"), CancellationToken.None);
        listener.WaitUntilHolding();
        var locking = store.Vault.LockAsync("admin", CancellationToken.None);
        var queued = Enumerable.Range(0, 20).Select(i => store.SubmitAsync(TestData.Submission("queued-" + i), CancellationToken.None)).ToArray();
        listener.Release();
        await warmUp.DefaultTimeout();
        await locking.DefaultTimeout();

        foreach (var submit in queued)
        {
            // Queued behind the lockdown's own write, so each either went in before it or is refused whole.
            var outcome = await Record.ExceptionAsync(() => submit.DefaultTimeout());
            if (outcome is not null)
            {
                AssertWrite(Assert.IsType<DomainException>(outcome));
            }
        }
        Assert.True(store.Vault.IsLocked);
    }

    [Fact]
    public async Task LockedStore_ReopensLockedWithoutTheKey_RefusesAWrongKey_AndTheRightKeyRestoresEverything()
    {
        using var directory = new TempDirectory();
        string id;
        using (var store = TestStore.InDirectory(directory.Path))
        {
            id = (await store.SubmitAsync(TestData.Submission("kept", "still here"), CancellationToken.None).DefaultTimeout()).RequestId;
            await store.Vault.LockAsync(StoreKeyVault.DefaultActor, CancellationToken.None);
        }
        using (var locked = TestStore.InDirectory(directory.Path, withoutKey: true))
        {
            Assert.True(locked.Vault.IsLocked);
            AssertRead(await Assert.ThrowsAsync<DomainException>(() => locked.GetAsync(id, TestData.Reader, CancellationToken.None).DefaultTimeout()));

            var wrong = await Assert.ThrowsAsync<DomainException>(() => locked.Vault.UnlockAsync(new byte[32], StoreKeyVault.DefaultActor, CancellationToken.None));
            Assert.Equal((ErrorKind.PermissionDenied, ErrorReasons.MasterKeyMismatch), (wrong.Kind, wrong.Reason));
            var malformed = await Assert.ThrowsAsync<DomainException>(() => locked.Vault.UnlockAsync(new byte[5], StoreKeyVault.DefaultActor, CancellationToken.None));
            Assert.Equal(ErrorReasons.MasterKeyMismatch, malformed.Reason);
            Assert.True(locked.Vault.IsLocked);
        }
        using (var stillLocked = TestStore.InDirectory(directory.Path))
        {
            // Offering the right key at start does not lift a lockdown: only an explicit unlock does.
            Assert.True(stillLocked.Vault.IsLocked);
            await stillLocked.Vault.UnlockAsync(TestStore.MasterKey, StoreKeyVault.DefaultActor, CancellationToken.None);
            Assert.Equal("still here", (await stillLocked.GetAsync(id, TestData.Reader, CancellationToken.None).DefaultTimeout())!.Message);
            await stillLocked.SubmitAsync(TestData.Submission("after"), CancellationToken.None).DefaultTimeout();
        }
        using var unlocked = TestStore.InDirectory(directory.Path);
        Assert.False(unlocked.Vault.IsLocked);
    }

    [Fact]
    public void Open_WithoutAKeyWhenUnlocked_WithAWrongKey_OrOnPlaintextData_IsRefused()
    {
        using var directory = new TempDirectory();
        Assert.Contains("needs its master key", Assert.Throws<MasterKeyException>(() => TestStore.InDirectory(directory.Path, withoutKey: true)).Message,
            StringComparison.Ordinal);
        using (TestStore.InDirectory(directory.Path))
        {
        }
        Assert.Contains("needs its master key", Assert.Throws<MasterKeyException>(() => TestStore.InDirectory(directory.Path, withoutKey: true)).Message,
            StringComparison.Ordinal);
        var wrongKey = TestStore.MasterKey;
        wrongKey[0] ^= 1;
        Assert.Contains("does not match", Assert.Throws<MasterKeyException>(() => TestStore.InDirectory(directory.Path, masterKey: wrongKey)).Message,
            StringComparison.Ordinal);
        Assert.Contains("32", Assert.Throws<MasterKeyException>(() => TestStore.InDirectory(directory.Path, masterKey: new byte[16])).Message,
            StringComparison.Ordinal);

        using var plaintext = new TempDirectory();
        Directory.CreateDirectory(plaintext.Path);
        using (var db = new LiteDB.LiteDatabase(new LiteDB.ConnectionString { Filename = Path.Combine(plaintext.Path, "hotline.db"), Collation = LiteDB.Collation.Binary }))
        {
            db.GetCollection(RequestDocument.Collection).Insert(new LiteDB.BsonDocument { ["_id"] = "old", ["message"] = "plain" });
        }
        Assert.Contains("without field encryption", Assert.Throws<MasterKeyException>(() => TestStore.InDirectory(plaintext.Path)).Message,
            StringComparison.Ordinal);
        // The directory is released after a refusal: the lock file does not outlive it.
        using (TestStore.InDirectory(directory.Path))
        {
        }
    }

    [Fact]
    public async Task UnlockingAnUnlockedVault_OnlyChecksTheKey()
    {
        using var store = TestStore.InMemory();

        await store.Vault.UnlockAsync(TestStore.MasterKey, StoreKeyVault.DefaultActor, CancellationToken.None);
        await Assert.ThrowsAsync<DomainException>(() => store.Vault.UnlockAsync(new byte[32], StoreKeyVault.DefaultActor, CancellationToken.None));

        Assert.False(store.Vault.IsLocked);
        var trail = await store.ListAuditAsync(null, 0, 10, CancellationToken.None).DefaultTimeout();
        Assert.Empty(trail.Records);
    }

    private static void AssertRead(DomainException refused) =>
        Assert.Equal((ErrorKind.FailedPrecondition, ErrorReasons.LockedDown), (refused.Kind, refused.Reason));

    private static void AssertWrite(DomainException refused) =>
        Assert.Equal((ErrorKind.Unavailable, ErrorReasons.LockedDown), (refused.Kind, refused.Reason));
}
