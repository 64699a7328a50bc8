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
