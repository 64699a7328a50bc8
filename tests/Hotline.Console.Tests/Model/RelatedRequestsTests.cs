using Grpc.Core;
using Hotline.Console.Operations;
using Hotline.Contract.V1;

namespace Hotline.Console.Tests.Model;

public sealed class RelatedRequestsTests
{
    private static readonly HelpRequest Origin = Requests.Make(200);

    private static (FakeHotlineClient Client, RelatedRequests Related) Setup(int count)
    {
        var client = new FakeHotlineClient();
        client.Related[Origin.Name] = [.. Enumerable.Range(1, count).Reverse().Select(n => Requests.Make(n))];
        return (client, new RelatedRequests(client, Origin, Hotline.Console.Presentation.Labels.OperatorId));
    }

    [Fact]
    public async Task Pages_AreLoadedOneAtATimeNewestFirstUntilNoneIsLeft()
    {
        var (client, related) = Setup(RelatedRequests.PageSize + 10);

        await related.LoadNextAsync();
        Assert.Equal(RelatedRequests.PageSize, related.Items.Count);
        Assert.Equal(60L, related.Items[0].Number);
        Assert.True(related.HasMore);
        Assert.Equal(RelatedRequests.PageSize + 10, related.TotalSize);

        await related.LoadNextAsync();
        Assert.Equal(RelatedRequests.PageSize + 10, related.Items.Count);
        Assert.Equal(1L, related.Items[^1].Number);
        Assert.False(related.HasMore);
        Assert.False(related.TryBegin());
        Assert.Equal(
            [$"related requests/r200 size {RelatedRequests.PageSize} token ''", $"related requests/r200 size {RelatedRequests.PageSize} token '50'"],
            client.Calls);
    }

    [Fact]
    public async Task RequestShiftedOntoTheNextPage_IsShownOnce()
    {
        var (client, related) = Setup(RelatedRequests.PageSize + 5);
        await related.LoadNextAsync();
        // A newer contact arrives between the pages: the server's offsets move every row down by one.
        client.Related[Origin.Name].Insert(0, Requests.Make(999));

        await related.LoadNextAsync();

        Assert.Equal(related.Items.Count, related.Items.Select(r => r.Name).Distinct().Count());
        Assert.Equal(RelatedRequests.PageSize + 5, related.Items.Count);
    }

    [Fact]
    public void SecondBeginWhileLoading_IsRefused()
    {
        var (_, related) = Setup(3);

        Assert.True(related.TryBegin());
        Assert.False(related.TryBegin());
    }

    [Fact]
    public async Task Refusal_IsWordedAndTheSamePageIsAskedForAgain()
    {
        var (client, related) = Setup(3);
        client.RefuseNextList = RpcErrors.Refusal(StatusCode.PermissionDenied, "PERMISSION_DENIED", ("required_role", "OPERATOR_ROLE_SUPERVISOR"));

        await related.LoadNextAsync();

        Assert.Equal(PageLoad.Failed, related.Status);
        Assert.Equal(StatusCode.PermissionDenied, related.FailureCode);
        Assert.Equal("Could not list the earlier contacts of #200: you are not allowed to (needs supervisor).", related.Failure);
        Assert.Empty(related.Items);

        await related.LoadNextAsync();

        Assert.Equal(PageLoad.Loaded, related.Status);
        Assert.Null(related.Failure);
        Assert.Equal(3, related.Items.Count);
        Assert.All(client.Calls, call => Assert.EndsWith("token ''", call, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ClientFailureOtherThanARefusal_IsReportedNotThrown()
    {
        var (client, related) = Setup(3);
        client.HoldList = new TaskCompletionSource();
        using var closing = new CancellationTokenSource();
        Assert.True(related.TryBegin());

        var fetching = related.FetchAsync(closing.Token);
        await closing.CancelAsync();
        related.Apply(await fetching.DefaultTimeout());

        Assert.Equal(StatusCode.Cancelled, related.FailureCode);
    }
}
