using Hotline.Domain;
using LiteDB;

namespace Hotline.Storage.Tests;

/// <summary>
/// The open-key index that lists of open requests are answered from (see RequestDocument.OpenKey):
/// it must describe every open request exactly as stored, through every change, hold nothing of a
/// closed one, and be rebuilt for data written before it existed.
/// </summary>
public sealed class OpenKeyTests
{
    private static readonly FilterTerm OpenOnly = new(FilterField.State, Negated: true, ["Closed"]);

    [Fact]
    public async Task OpenKey_FollowsClaimsReleasesClosesAndReopens_AndListsMatchTheStoredRequests()
    {
        using var store = TestStore.InMemory();
        var ids = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            ids.Add((await store.SubmitAsync(TestData.Submission("k" + i), CancellationToken.None).DefaultTimeout()).RequestId);
        }
        var anna = TestData.Operator(1);
        await store.ExecuteAsync(ids[0], new AssignCommand(anna, anna), CancellationToken.None).DefaultTimeout();
        await store.ExecuteAsync(ids[1], new AssignCommand(anna, anna), CancellationToken.None).DefaultTimeout();
        await store.ExecuteAsync(ids[1], new ReleaseCommand(anna), CancellationToken.None).DefaultTimeout();
        await store.ExecuteAsync(ids[2], new CloseCommand(TestData.Supervisor, Resolution.InformationGiven), CancellationToken.None).DefaultTimeout();
        await store.ExecuteAsync(ids[3], new CloseCommand(TestData.Supervisor, Resolution.InformationGiven), CancellationToken.None).DefaultTimeout();
        await store.ExecuteAsync(ids[3], new ReopenCommand(TestData.Supervisor), CancellationToken.None).DefaultTimeout();
        await store.ExecuteAsync(ids[4], new UpdateCommand(TestData.Supervisor, new RequestPatch { Urgency = Urgency.ImmediateDanger, Language = "uk" }), CancellationToken.None).DefaultTimeout();

        var expected = new List<HelpRequest>();
        foreach (var id in ids)
        {
            expected.Add((await store.GetAsync(id, TestData.Reader, CancellationToken.None).DefaultTimeout())!);
        }
        var query = new RequestQuery { Terms = [OpenOnly], Limit = 100 };
        var listed = await store.ListAsync(query, TestData.Reader, CancellationToken.None).DefaultTimeout();

        var open = expected.Where(r => r.State != RequestState.Closed).ToList();
        open.Sort(query.Compare);
        Assert.Equal(open.Select(r => r.Id), listed.Requests.Select(r => r.Id));
        Assert.Equal(11, listed.TotalSize);
        foreach (var (want, got) in open.Zip(listed.Requests))
        {
            Assert.Equal(want.State, got.State);
            Assert.Equal(want.Assignee, got.Assignee);
            Assert.Equal(want.Urgency, got.Urgency);
            Assert.Equal(want.UpdateTime, got.UpdateTime);
            Assert.Equal(want.Language, got.Language);
        }
        var mine = await store.ListAsync(new RequestQuery
        {
            Terms = [OpenOnly, new FilterTerm(FilterField.Assignee, Negated: false, [anna.Id])],
            Limit = 100,
        }, TestData.Reader, CancellationToken.None).DefaultTimeout();
        Assert.Equal([ids[0]], mine.Requests.Select(r => r.Id));
    }

    [Fact]
    public async Task DataWrittenBeforeTheOpenKey_IsGivenOneWhenTheStoreOpens()
    {
        using var directory = new TempDirectory();
        var ids = new List<string>();
        using (var store = TestStore.InDirectory(directory.Path))
        {
            for (var i = 0; i < 5; i++)
            {
                ids.Add((await store.SubmitAsync(TestData.Submission("k" + i), CancellationToken.None).DefaultTimeout()).RequestId);
            }
            await store.ExecuteAsync(ids[4], new CloseCommand(TestData.Supervisor, Resolution.InformationGiven), CancellationToken.None).DefaultTimeout();
        }
        // As an older version left it: no open key on any request, and no index on it.
        using (var raw = new LiteDatabase(new ConnectionString { Filename = Path.Combine(directory.Path, DataDirectory.DatabaseFileName), Collation = Collation.Binary }))
        {
            var requests = raw.GetCollection(RequestDocument.Collection);
            requests.DropIndex(RequestDocument.OpenKeyField);
            foreach (var doc in requests.FindAll().ToList())
            {
                doc.Remove(RequestDocument.OpenKeyField);
                requests.Update(doc);
            }
            raw.Checkpoint();
        }

        using (var store = TestStore.InDirectory(directory.Path))
        {
            var listed = await store.ListAsync(new RequestQuery { Terms = [OpenOnly], Limit = 100 }, TestData.Reader, CancellationToken.None)
                .DefaultTimeout();
            Assert.Equal(ids.Take(4).Order(StringComparer.Ordinal), listed.Requests.Select(r => r.Id).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task QueueFigures_ReadTheEscalationStepAndTheDueFollowUpFromTheOpenKeyAlone()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TestData.Start);
        using var store = TestStore.InMemory(time: time);
        var anna = TestData.Operator(1);
        var overdue = (await store.SubmitAsync(TestData.Submission("late") with { Urgency = Urgency.ImmediateDanger }, CancellationToken.None).DefaultTimeout()).RequestId;
        var promised = (await store.SubmitAsync(TestData.Submission("promise"), CancellationToken.None).DefaultTimeout()).RequestId;
        await store.ExecuteAsync(promised, new AssignCommand(anna, anna), CancellationToken.None).DefaultTimeout();
        await store.ExecuteAsync(promised, new SetFollowUpCommand(anna, TestData.Start.AddMinutes(10), "call back"), CancellationToken.None).DefaultTimeout();
        time.Advance(TimeSpan.FromMinutes(16));
        await store.ExecuteAsync(overdue, new EscalateCommand(EscalationRules.Default), CancellationToken.None).DefaultTimeout();
        await store.ExecuteAsync(promised, new MarkFollowUpDueCommand(), CancellationToken.None).DefaultTimeout();

        var facts = await store.ReadQueueAsync(TestData.Start, CancellationToken.None).DefaultTimeout();

        var late = Assert.Single(facts.Open, f => f.Assignee is null);
        Assert.Equal((2, false), (late.EscalationStep, late.FollowUpDue));
        var held = Assert.Single(facts.Open, f => f.Assignee == anna.Id);
        Assert.Equal((0, true), (held.EscalationStep, held.FollowUpDue));
    }

    [Fact]
    public void AKeyWrittenBeforeTheStepAndFollowUpWereInIt_ReadsAsNeither()
    {
        var facts = RequestDocument.OpenFacts("1|3|638000000000000000|638000000000000000|7|2|ru||AAAAAAAAAAAAAAAAAAAA");

        Assert.Equal((RequestState.New, Urgency.ImmediateDanger, 0, false), (facts.State, facts.Urgency, facts.EscalationStep, facts.FollowUpDue));
    }
}
