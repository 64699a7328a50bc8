using Hotline.Domain;

namespace Hotline.Storage.Tests;

/// <summary>Steps many store tests take, written against the store interfaces so every store's tests share them.</summary>
internal static class StoreSteps
{
    /// <summary>Viewers of watch streams in the audit trail tests.</summary>
    public const string Anna = "op-anna";

    public const string Boris = "op-boris";

    /// <summary>Submits a request with intake key <paramref name="key"/>; its id.</summary>
    public static async Task<string> SubmitAsync(IRequestStore store, string key) =>
        (await store.SubmitAsync(TestData.Submission(key), CancellationToken.None).DefaultTimeout()).RequestId;

    /// <summary>Submits <paramref name="count"/> requests, one after the other, each with <paramref name="message"/>.</summary>
    public static async Task SubmitManyAsync(IRequestStore store, int count, string message = "Need help")
    {
        for (var i = 0; i < count; i++)
        {
            await store.SubmitAsync(TestData.Submission($"many-{message.Length}-{i}", message), CancellationToken.None).DefaultTimeout();
        }
    }

    /// <summary>Closes the request as an operator would; its id.</summary>
    public static async Task<string> CloseAsync(IRequestStore store, string id)
    {
        await store.ExecuteAsync(id, new CloseCommand(TestData.Operator(1), Resolution.InformationGiven), CancellationToken.None).DefaultTimeout();
        return id;
    }

    /// <summary>The WATCHED records in the request's trail, checking that every other record names the request.</summary>
    public static async Task<List<AuditRecord>> StreamsInTrailAsync(IAuditTrail trail, string requestId)
    {
        var page = await trail.ListAuditAsync(requestId, 0, 1_000, CancellationToken.None).DefaultTimeout();
        Assert.Null(page.NextAfterSequence);
        Assert.All(page.Records, r => Assert.True(r.RequestIds.Contains(requestId) || r.Action == AuditAction.Watched));
        return [.. page.Records.Where(r => r.Action == AuditAction.Watched)];
    }
}
