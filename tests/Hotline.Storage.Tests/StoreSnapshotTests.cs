using System.Collections.Concurrent;
using Hotline.Domain;
using Xunit.Abstractions;

namespace Hotline.Storage.Tests;

/// <summary>
/// The building block of online backups: a copy of the database taken while writers keep
/// writing is consistent at one revision, holds every request acknowledged before it was asked
/// for, and its audit chain verifies up to the head recorded with it.
/// </summary>
public sealed class StoreSnapshotTests(ITestOutputHelper output)
{
    [Fact]
    public async Task CopyUnderConcurrentWrites_HoldsEverythingAcknowledgedBefore_AndItsChainVerifiesToTheRecordedHead()
    {
        using var live = new TempDirectory();
        using var copy = new TempDirectory();
        Directory.CreateDirectory(copy.Path);
        var acknowledged = new ConcurrentBag<IntakeReceipt>();
        StoreSnapshot snapshot;
        IReadOnlyList<IntakeReceipt> before;
        using (var store = TestStore.InDirectory(live.Path))
        {
            for (var i = 0; i < 200; i++)
            {
                acknowledged.Add(await store.SubmitAsync(TestData.Submission($"first-{i}"), CancellationToken.None).DefaultTimeout());
            }
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    acknowledged.Add(await store.SubmitAsync(TestData.Submission($"w{w}-{i}"), CancellationToken.None).DefaultTimeout());
                }
            })).ToList();
            await Task.Delay(200);

            before = [.. acknowledged];
            await using (var file = new FileStream(Path.Combine(copy.Path, "hotline.db"), FileMode.CreateNew))
            {
                snapshot = await store.CopyDatabaseAsync(file, CancellationToken.None).DefaultTimeout();
            }
            await Task.Delay(200);
            await stop.CancelAsync();
            await Task.WhenAll(writers).DefaultTimeout();
            Assert.True(acknowledged.Count > before.Count, "no write was acknowledged after the copy: it was not taken under load");
            output.WriteLine($"copied {snapshot.Bytes:N0} bytes at revision {snapshot.Revision}; {before.Count} acknowledged before, {acknowledged.Count} in all");
        }

        using var restored = TestStore.InDirectory(copy.Path);
        Assert.Equal(snapshot.Revision, restored.CommittedRevision);
        // Before any read: each audited read adds a record.
        var verification = await restored.VerifyAuditAsync(TestStore.MasterKey, CancellationToken.None).DefaultTimeout();
        Assert.True(verification.Intact, verification.Detail);
        Assert.Equal(snapshot.AuditSequence, verification.HeadSequence);
        Assert.Equal(snapshot.AuditHead.ToArray(), verification.HeadHash.ToArray());
        foreach (var receipt in before)
        {
            Assert.Equal(receipt.Number, (await restored.GetAsync(receipt.RequestId, TestData.Reader, CancellationToken.None).DefaultTimeout())?.Number);
        }
    }

    [Fact]
    public async Task StoreOnStreams_RefusesToCopyInsteadOfCopyingSomethingElse()
    {
        using var store = TestStore.InMemory();

        await Assert.ThrowsAsync<NotSupportedException>(() => store.CopyDatabaseAsync(new MemoryStream(), CancellationToken.None));
    }
}
