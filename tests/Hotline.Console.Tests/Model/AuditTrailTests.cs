using Grpc.Core;
using Hotline.Console.Operations;
using Hotline.Console.Presentation;
using Hotline.Contract.V1;

namespace Hotline.Console.Tests.Model;

/// <summary>What the audit trail adds to the paging every list shares (tested with <see cref="RelatedRequestsTests"/>).</summary>
public sealed class AuditTrailTests
{
    private static readonly HelpRequest Origin = Requests.Make(200);

    private static (FakeHotlineClient Client, AuditTrail Trail) Setup(int count)
    {
        var client = new FakeHotlineClient();
        client.Audit[Origin.Name] =
            [.. Enumerable.Range(1, count).Select(n => Requests.Audit(n, AuditAction.Read, "operators/lena", Requests.T0.AddMinutes(n), Origin.Name))];
        return (client, new AuditTrail(client, Origin, Labels.OperatorId));
    }

    [Fact]
    public async Task Pages_AreAskedForByRequestOldestFirstWithoutATotal()
    {
        var (client, trail) = Setup(AuditTrail.PageSize + 10);

        await trail.LoadNextAsync();
        Assert.Equal(1L, trail.Items[0].Sequence);
        Assert.True(trail.HasMore);
        Assert.Null(trail.TotalSize);
        await trail.LoadNextAsync();

        Assert.Equal(Enumerable.Range(1, AuditTrail.PageSize + 10).Select(n => (long)n), trail.Items.Select(e => e.Sequence));
        Assert.False(trail.HasMore);
        Assert.Equal(
            [$"audit requests/r200 size {AuditTrail.PageSize} token ''", $"audit requests/r200 size {AuditTrail.PageSize} token '100'"],
            client.Calls);
    }

    [Theory]
    [InlineData(StatusCode.PermissionDenied, "PERMISSION_DENIED", "Could not list the audit trail of #200: you are not allowed to (needs supervisor).")]
    [InlineData(StatusCode.FailedPrecondition, "LOCKED_DOWN", "Could not list the audit trail of #200: the hotline is locked down until an admin unlocks it.")]
    [InlineData(StatusCode.Unavailable, "", "Could not list the audit trail of #200: the server did not answer; try again when connected.")]
    public async Task Refusal_IsWordedForTheTrail(StatusCode code, string reason, string expected)
    {
        var (client, trail) = Setup(3);
        client.RefuseNextList = reason.Length == 0 ? RpcErrors.Unavailable()
            : RpcErrors.Refusal(code, reason, ("required_role", "OPERATOR_ROLE_SUPERVISOR"));

        await trail.LoadNextAsync();

        Assert.Equal(PageLoad.Failed, trail.Status);
        Assert.Equal(expected, trail.Failure);
        // Only a broken link is worth asking again by itself once the link is back; a refusal stays until the operator retries.
        Assert.Equal(code == StatusCode.Unavailable, trail.FailedOnTheLink);
    }
}
