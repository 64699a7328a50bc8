using Grpc.Core;
using Hotline.Console.Presentation;

namespace Hotline.Console.Tests.Presentation;

public sealed class RefusalsTests
{
    public static TheoryData<string, RpcException, string> Cases => new()
    {
        { "claim", RpcErrors.AlreadyAssigned("operators/timur"), "Could not claim #7: Timur B. (timur) already holds it." },
        { "claim", RpcErrors.AlreadyAssigned("operators/ghost"), "Could not claim #7: ghost already holds it." },
        { "release", RpcErrors.Refusal(StatusCode.FailedPrecondition, "NOT_ASSIGNEE", ("assignee", "operators/timur")),
            "Could not release #7: Timur B. (timur) holds it; only they or a supervisor can." },
        { "release", RpcErrors.Refusal(StatusCode.FailedPrecondition, "NOT_ASSIGNED"), "Could not release #7: nobody holds it." },
        { "close", RpcErrors.Refusal(StatusCode.FailedPrecondition, "REQUEST_CLOSED"), "Could not close #7: it is closed (to reopen it, select #7 and press o)." },
        { "reopen", RpcErrors.Refusal(StatusCode.FailedPrecondition, "REQUEST_OPEN"), "Could not reopen #7: it is already open." },
        { "close", RpcErrors.EtagMismatch(), "Could not close #7: someone changed it a moment ago. The view is refreshed; check it and try again." },
        { "close", RpcErrors.InvalidFields(("comment", "is required when the resolution is OTHER")),
            "Could not close #7: check comment: is required when the resolution is OTHER." },
        { "update", RpcErrors.InvalidFields(("tags[1]", "must not contain whitespace"), ("urgency", "must be set")),
            "Could not update #7: check tags[1]: must not contain whitespace; urgency: must be set." },
        { "reopen", RpcErrors.Refusal(StatusCode.PermissionDenied, "PERMISSION_DENIED", ("required_role", "OPERATOR_ROLE_SUPERVISOR")),
            "Could not reopen #7: you are not allowed to (needs supervisor)." },
        { "assign", RpcErrors.Refusal(StatusCode.FailedPrecondition, "OPERATOR_DISABLED"), "Could not assign #7: that operator is disabled." },
        { "claim", RpcErrors.Refusal(StatusCode.NotFound, "REQUEST_NOT_FOUND"), "Could not claim #7: it no longer exists." },
        { "add a note to", RpcErrors.Unavailable(), "Could not add a note to #7: the server did not answer. Nothing was changed; try again when connected." },
        { "claim", RpcErrors.Refusal(StatusCode.Unavailable, "LOCKED_DOWN"), "Could not claim #7: the hotline is locked down until an admin unlocks it." },
        { "claim", new RpcException(new Grpc.Core.Status(StatusCode.Internal, "boom")), "Could not claim #7: the server refused (Internal)." },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Refusal_SaysWhoWhatOrWhichField(string what, RpcException error, string expected) =>
        Assert.Equal(expected, Refusals.Describe(what, 7, error, name => name == "operators/timur" ? "Timur B." : Labels.OperatorId(name)));

    [Fact]
    public void FailedRead_DoesNotTalkAboutChanges() =>
        Assert.Equal("Could not list the earlier contacts of #7: the server did not answer; try again when connected.",
            Refusals.Describe("list the earlier contacts of", 7, RpcErrors.Unavailable(), Labels.OperatorId, changes: false));
}
