using Hotline.Domain;
using Microsoft.Extensions.Time.Testing;

namespace Hotline.Storage.Tests;

public sealed class SubmitTests
{
    [Fact]
    public async Task SubmitThenCommands_EveryFieldRoundTripsThroughGetAndReopen()
    {
        using var directory = new TempDirectory();
        // Not a whole millisecond: LiteDB's DateTime keeps milliseconds only, ticks keep everything.
        var time = new FakeTimeProvider(TestData.Start.AddTicks(1_234_567));
        var holder = TestData.Operator(1);
        var submission = new NewHelpRequest
        {
            IntakeRequestId = "form-2025-03-01:17",
            SubmittedBy = TestData.Intake.Id,
            Channel = Channel.Signal,
            ContactHandle = "+7 928 000-00-00",
            Language = "ce",
            Message = "Хьо мичахь ву? Сан гӀо оьшу.\nМне нужна помощь, нас ищут.",
            Urgency = Urgency.ImmediateDanger,
            Region = "Чечня, Грозный",
            Tags = ["эвакуация", "family", "lgbt"],
        };
        HelpRequest expected;
        using (var store = TestStore.InDirectory(directory.Path, time: time))
        {
            var receipt = await store.SubmitAsync(submission, CancellationToken.None).DefaultTimeout();
            Assert.False(receipt.Duplicate);
            Assert.Equal(1, receipt.Number);
            Assert.Matches("^[a-z2-7]{20}$", receipt.RequestId);

            var created = await store.GetAsync(receipt.RequestId, TestData.Reader, CancellationToken.None).DefaultTimeout();
            Assert.NotNull(created);
            Assert.Equal(RequestState.New, created.State);
            Assert.Equal(time.GetUtcNow(), created.CreateTime);
            Assert.Equal(time.GetUtcNow().UtcTicks, created.UpdateTime.UtcTicks);
            Assert.Equal(submission.Message, created.Message);
            Assert.Equal(submission.Tags, created.Tags);
            Assert.Equal(TestData.Intake.Id, created.SubmittedBy);

            time.Advance(TimeSpan.FromTicks(3_333_333));
            await store.ExecuteAsync(receipt.RequestId, new AssignCommand(holder, holder), CancellationToken.None).DefaultTimeout();
            await store.ExecuteAsync(receipt.RequestId, new AddNoteCommand(holder, "Позвонила, семья в безопасности. Хӏинца дика ду.", "note-1"), CancellationToken.None).DefaultTimeout();
            await store.ExecuteAsync(receipt.RequestId, new UpdateCommand(holder, new RequestPatch { Tags = ["эвакуация", "legal"], Region = "Москва" }), CancellationToken.None).DefaultTimeout();
            time.Advance(TimeSpan.FromMinutes(5));
            expected = await store.ExecuteAsync(receipt.RequestId, new CloseCommand(holder, Resolution.Evacuated, "Вывезли в безопасное место"), CancellationToken.None).DefaultTimeout();

            Assert.Equal(RequestState.Closed, expected.State);
            Assert.Equal(holder.Id, expected.ClosedBy);
            Assert.Equal(time.GetUtcNow(), expected.CloseTime);
            Assert.Equal("note-1", Assert.Single(expected.Notes).RequestId);
            TestData.AssertSame(expected, await store.GetAsync(receipt.RequestId, TestData.Reader, CancellationToken.None).DefaultTimeout());
        }
        using (var reopened = TestStore.InDirectory(directory.Path, time: time))
        {
            TestData.AssertSame(expected, await reopened.GetAsync(expected.Id, TestData.Reader, CancellationToken.None).DefaultTimeout());
            Assert.Equal(expected.Revision, reopened.CommittedRevision);
        }
    }

    [Fact]
    public async Task ManySubmits_NumbersAreOneToNAndRevisionsStrictlyIncrease()
    {
        using var store = TestStore.InMemory();
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
        using var store = TestStore.InMemory();
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
        using var store = TestStore.InMemory();
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
        using var store = TestStore.InMemory();
        var lower = await store.SubmitAsync(TestData.Submission("abc"), CancellationToken.None).DefaultTimeout();
        var upper = await store.SubmitAsync(TestData.Submission("ABC"), CancellationToken.None).DefaultTimeout();

        Assert.False(upper.Duplicate);
        Assert.NotEqual(lower.RequestId, upper.RequestId);
    }

    [Fact]
    public async Task SameKeyTwiceInOneBatch_SecondIsDuplicateOfFirst()
    {
        var listener = new RecordingListener();
        using var store = TestStore.InMemory(listener);
        listener.HoldNextBatch();
        var warmUp = store.SubmitAsync(TestData.Submission("warm-up"), CancellationToken.None);
        listener.WaitUntilHolding();
        var batchesBefore = store.BatchCount;

        var first = store.SubmitAsync(TestData.Submission("twice"), CancellationToken.None);
        var second = store.SubmitAsync(TestData.Submission("twice"), CancellationToken.None);
        listener.Release();
        var firstReceipt = await first.DefaultTimeout();
        var secondReceipt = await second.DefaultTimeout();
        await warmUp.DefaultTimeout();

        Assert.Equal(batchesBefore + 1, store.BatchCount);
        Assert.False(firstReceipt.Duplicate);
        Assert.Equal(firstReceipt with { Duplicate = true }, secondReceipt);
        Assert.Equal(2, store.CommittedRevision);
    }
}
