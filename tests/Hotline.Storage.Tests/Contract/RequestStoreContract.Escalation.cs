using Hotline.Domain;
using Microsoft.Extensions.Time.Testing;

namespace Hotline.Storage.Tests;

public abstract partial class RequestStoreContract<TStore>
{
    [Fact]
    public async Task Submit_StartsTheEscalationClockAtArrival()
    {
        var time = new FakeTimeProvider(TestData.Start);
        using var store = await CreateStoreAsync(time: time);

        var id = await StoreSteps.SubmitAsync(store, "k");

        var stored = (await store.GetAsync(id, TestData.Reader, CancellationToken.None).DefaultTimeout())!;
        Assert.Equal(TestData.Start, stored.WaitingSince);
        Assert.Equal(0, stored.EscalationStep);
        Assert.Null(stored.FollowUp);
        Assert.Null(stored.HandOver);
    }

    [Fact]
    public async Task Escalation_IsStoredAsOneChangeAndOneAuditRecord_AndARepeatWritesNothing()
    {
        var time = new FakeTimeProvider(TestData.Start);
        var listener = new RecordingListener();
        using var store = await CreateStoreAsync(listener, time);
        var id = (await store.SubmitAsync(TestData.Submission("k") with { Urgency = Urgency.ImmediateDanger }, CancellationToken.None).DefaultTimeout()).RequestId;
        time.Advance(TimeSpan.FromMinutes(16));

        var escalated = await store.ExecuteAsync(id, new EscalateCommand(EscalationRules.Default), CancellationToken.None).DefaultTimeout();
        var again = await store.ExecuteAsync(id, new EscalateCommand(EscalationRules.Default), CancellationToken.None).DefaultTimeout();

        Assert.Equal(2, escalated.EscalationStep);
        Assert.Equal(escalated.Revision, again.Revision);
        Assert.Equal(escalated.Revision, store.CommittedRevision);
        listener.WaitForRevision(escalated.Revision);
        var change = Assert.Single(listener.Changes, c => c.Kind == ChangeKind.Escalated);
        Assert.Equal(ServerActor.Id, change.Actor);
        Assert.Equal(2, change.Request!.EscalationStep);
        var trail = await store.ListAuditAsync(id, 0, 100, CancellationToken.None).DefaultTimeout();
        var record = Assert.Single(trail.Records, r => r.Action == AuditAction.Escalated);
        Assert.Equal(ServerActor.Id, record.Actor);
        Assert.Equal(escalated.Revision, record.Revision);
        TestData.AssertSame(escalated, await store.GetAsync(id, TestData.Reader, CancellationToken.None).DefaultTimeout());
    }

    [Fact]
    public async Task ReleaseAfterClaim_RestartsTheClockAndClearsTheStep()
    {
        var time = new FakeTimeProvider(TestData.Start);
        using var store = await CreateStoreAsync(time: time);
        var id = await StoreSteps.SubmitAsync(store, "k");
        time.Advance(TimeSpan.FromHours(2));
        await store.ExecuteAsync(id, new EscalateCommand(EscalationRules.Default), CancellationToken.None).DefaultTimeout();
        await store.ExecuteAsync(id, new AssignCommand(Holder, Holder), CancellationToken.None).DefaultTimeout();
        time.Advance(TimeSpan.FromMinutes(10));

        var released = await store.ExecuteAsync(id, new ReleaseCommand(Holder), CancellationToken.None).DefaultTimeout();

        var stored = (await store.GetAsync(id, TestData.Reader, CancellationToken.None).DefaultTimeout())!;
        Assert.Equal(0, stored.EscalationStep);
        Assert.Equal(time.GetUtcNow(), stored.WaitingSince);
        TestData.AssertSame(released, stored);
    }

    [Fact]
    public async Task FollowUp_IsStoredWithItsReason_AndFallingDueIsOneChange()
    {
        var time = new FakeTimeProvider(TestData.Start);
        var listener = new RecordingListener();
        using var store = await CreateStoreAsync(listener, time);
        var id = await StoreSteps.SubmitAsync(store, "k");
        await store.ExecuteAsync(id, new AssignCommand(Holder, Holder), CancellationToken.None).DefaultTimeout();
        var due = TestData.Start.AddHours(3);

        var set = await store.ExecuteAsync(id, new SetFollowUpCommand(Holder, due, "Позвонить после суда"), CancellationToken.None).DefaultTimeout();
        time.Advance(TimeSpan.FromHours(3));
        var marked = await store.ExecuteAsync(id, new MarkFollowUpDueCommand(), CancellationToken.None).DefaultTimeout();
        var again = await store.ExecuteAsync(id, new MarkFollowUpDueCommand(), CancellationToken.None).DefaultTimeout();

        Assert.Equal(RequestState.Waiting, set.State);
        Assert.Equal(new FollowUp(due, "Позвонить после суда", Holder.Id, Due: true), marked.FollowUp);
        Assert.Equal(marked.Revision, again.Revision);
        TestData.AssertSame(marked, await store.GetAsync(id, TestData.Reader, CancellationToken.None).DefaultTimeout());
        var log = await store.ReadChangesAsync(1, 10, CancellationToken.None).DefaultTimeout();
        Assert.Equal([ChangeKind.Created, ChangeKind.Assigned, ChangeKind.FollowUpSet, ChangeKind.FollowUpDue], log.Changes.Select(c => c.Kind));
        Assert.Equal(marked.FollowUp, log.Changes[^1].Request!.FollowUp);
        var trail = await store.ListAuditAsync(id, 0, 100, CancellationToken.None).DefaultTimeout();
        Assert.Contains(trail.Records, r => r.Action == AuditAction.FollowUpSet && r.Actor == Holder.Id);
        Assert.Single(trail.Records, r => r.Action == AuditAction.FollowUpDue && r.Actor == ServerActor.Id);
    }

    [Fact]
    public async Task HandOverNote_IsStoredAsANoteTheHandOverNames()
    {
        using var store = await CreateStoreAsync();
        var id = await StoreSteps.SubmitAsync(store, "k");
        var colleague = TestData.Operator(2);
        await store.ExecuteAsync(id, new AssignCommand(Holder, Holder), CancellationToken.None).DefaultTimeout();

        var handed = await store.ExecuteAsync(id, new AssignCommand(Holder, colleague, HandOverNote: "Она ждёт звонка после 20:00"), CancellationToken.None)
            .DefaultTimeout();

        var stored = (await store.GetAsync(id, TestData.Reader, CancellationToken.None).DefaultTimeout())!;
        TestData.AssertSame(handed, stored);
        Assert.Equal(colleague.Id, stored.HandOver!.To);
        Assert.Equal("Она ждёт звонка после 20:00", Assert.Single(stored.Notes, n => n.Id == stored.HandOver.NoteId).Text);
    }

    [Fact]
    public async Task WorkingSet_CarriesEscalationFollowUpAndHandOver()
    {
        var time = new FakeTimeProvider(TestData.Start);
        using var store = await CreateStoreAsync(time: time);
        var waiting = (await store.SubmitAsync(TestData.Submission("overdue") with { Urgency = Urgency.Routine }, CancellationToken.None).DefaultTimeout()).RequestId;
        var held = await StoreSteps.SubmitAsync(store, "held");
        await store.ExecuteAsync(held, new AssignCommand(Holder, Holder), CancellationToken.None).DefaultTimeout();
        await store.ExecuteAsync(held, new SetFollowUpCommand(Holder, TestData.Start.AddMinutes(30), "check"), CancellationToken.None).DefaultTimeout();
        await store.ExecuteAsync(held, new AssignCommand(Holder, TestData.Operator(2), HandOverNote: "over to you"), CancellationToken.None).DefaultTimeout();
        time.Advance(TimeSpan.FromMinutes(65));
        await store.ExecuteAsync(waiting, new EscalateCommand(EscalationRules.Default), CancellationToken.None).DefaultTimeout();
        await store.ExecuteAsync(held, new MarkFollowUpDueCommand(), CancellationToken.None).DefaultTimeout();

        var snapshot = await store.ReadWorkingSetAsync(TimeSpan.Zero, CancellationToken.None).DefaultTimeout();
        var requests = new List<HelpRequest>();
        await foreach (var page in snapshot.ReadPagesAsync(10, CancellationToken.None))
        {
            requests.AddRange(page);
        }

        Assert.Equal(1, requests.Single(r => r.Id == waiting).EscalationStep);
        var handedOver = requests.Single(r => r.Id == held);
        Assert.True(handedOver.FollowUp!.Due);
        Assert.Equal(TestData.Operator(2).Id, handedOver.HandOver!.To);
    }
}
