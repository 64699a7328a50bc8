using Hotline.Domain;
using Microsoft.Extensions.Time.Testing;

namespace Hotline.Storage.Tests;

public abstract partial class RequestStoreContract<TStore>
{
    [Fact]
    public async Task ManySubmits_NumbersAreOneToNAndRevisionsStrictlyIncrease()
    {
        using var store = await CreateStoreAsync();
        var receipts = new List<IntakeReceipt>();
        for (var i = 0; i < 20; i++)
        {
            receipts.Add(await store.SubmitAsync(TestData.Submission("key-" + i), CancellationToken.None).DefaultTimeout());
        }
        Assert.Equal(Enumerable.Range(1, 20).Select(n => (long)n), receipts.Select(r => r.Number));
        Assert.Equal(20, receipts.Select(r => r.RequestId).Distinct().Count());

        var revisions = new List<long>();
        foreach (var receipt in receipts)
        {
            revisions.Add((await store.GetAsync(receipt.RequestId, TestData.Reader, CancellationToken.None).DefaultTimeout())!.Revision);
        }
        Assert.Equal(Enumerable.Range(1, 20).Select(n => (long)n), revisions);
        Assert.Equal(20, store.CommittedRevision);

        var log = await store.ReadChangesAsync(1, 100, CancellationToken.None).DefaultTimeout();
        Assert.False(log.Compacted);
        Assert.Equal(revisions, log.Changes.Select(c => c.Revision));
        Assert.All(log.Changes, c => Assert.Equal(ChangeKind.Created, c.Kind));
        Assert.Equal(receipts.Select(r => r.RequestId), log.Changes.Select(c => c.RequestId));
        Assert.All(log.Changes, c => Assert.Equal(TestData.Intake.Id, c.Actor));
        Assert.All(log.Changes, c => Assert.Equal(c.Revision, c.Request!.Revision));
    }

    [Fact]
    public async Task SameKeySameSubmitter_ReturnsFirstReceiptAsDuplicateAndWritesNothing()
    {
        using var store = await CreateStoreAsync();
        var first = await store.SubmitAsync(TestData.Submission("retry-me"), CancellationToken.None).DefaultTimeout();
        var revision = store.CommittedRevision;

        var again = await store.SubmitAsync(TestData.Submission("retry-me", "different text on retry"), CancellationToken.None).DefaultTimeout();

        Assert.True(again.Duplicate);
        Assert.Equal(first with { Duplicate = true }, again);
        Assert.Equal(revision, store.CommittedRevision);
        var page = await store.ListAsync(new RequestQuery(), TestData.Reader, CancellationToken.None).DefaultTimeout();
        Assert.Equal(1, page.TotalSize);
    }

    [Fact]
    public async Task SameKeyDifferentSubmitter_CreatesANewRequest()
    {
        using var store = await CreateStoreAsync();
        var other = new OperatorAccount("sms-gateway", "SMS", Role.Intake);
        var first = await store.SubmitAsync(TestData.Submission("shared-key"), CancellationToken.None).DefaultTimeout();
        var second = await store.SubmitAsync(TestData.Submission("shared-key", submitter: other), CancellationToken.None).DefaultTimeout();

        Assert.False(second.Duplicate);
        Assert.NotEqual(first.RequestId, second.RequestId);
        Assert.Equal(2, second.Number);
    }

    [Fact]
    public async Task KeysDifferingOnlyInCase_AreDifferentKeys()
    {
        using var store = await CreateStoreAsync();
        var lower = await store.SubmitAsync(TestData.Submission("abc"), CancellationToken.None).DefaultTimeout();
        var upper = await store.SubmitAsync(TestData.Submission("ABC"), CancellationToken.None).DefaultTimeout();

        Assert.False(upper.Duplicate);
        Assert.NotEqual(lower.RequestId, upper.RequestId);
    }
}
