using Grpc.Core;
using Hotline.Console.Presentation;
using Hotline.Console.Remote;
using Hotline.Console.State;
using Hotline.Contract.V1;

namespace Hotline.Console.Operations;

/// <summary>
/// The operator's actions: each calls the server, puts the returned request into the model at
/// once (the watch stream confirms it moments later), and says in words what happened.
/// </summary>
/// <remarks>
/// Call from the UI thread: continuations after <c>await</c> return to it (Terminal.Gui installs
/// a synchronization context), and the model is only touched there. Mutations that depend on
/// what the operator saw send the etag, so a request changed by a colleague in the meantime is
/// refused (ETAG_MISMATCH) rather than overwritten; claims do not, because the server decides
/// them against the current holder and names who won. Every call ends with the console
/// (<paramref name="lifetime"/>) or after <see cref="OperationTimeout"/>, whichever is first, so
/// an action can never keep its key busy for ever.
/// </remarks>
/// <param name="time">Measures <see cref="OperationTimeout"/>.</param>
/// <param name="lifetime">Cancelled when the console ends.</param>
public sealed class RequestOperations(IHotlineClient client, QueueModel model, TimeProvider time, CancellationToken lifetime)
{
    /// <summary>
    /// How long one action (its call and the refresh after a refusal) may wait for the server. The
    /// real client gives up sooner on its own; this bounds any client.
    /// </summary>
    public static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(30);

    public Task<ActionOutcome> ClaimAsync(HelpRequest request) =>
        RunAsync("claim", request, ct => client.AssignAsync(request.Name, "", ct), r => $"#{r.Number} is yours now.");

    /// <param name="handOverNote">A note the colleague sees first; empty for none.</param>
    public Task<ActionOutcome> AssignAsync(HelpRequest request, Operator to, string handOverNote = "") =>
        RunAsync("assign", request, ct => client.AssignAsync(request.Name, to.Name, handOverNote, ct),
            r => $"#{r.Number} is now held by {Labels.Person(to.Name, model.DisplayName)}.");

    public Task<ActionOutcome> ReleaseAsync(HelpRequest request) =>
        RunAsync("release", request, ct => client.ReleaseAsync(request.Name, request.Etag, ct), r => $"#{r.Number} is back in the queue.");

    /// <param name="requestId">Stays the same for every retry of one draft, so the note is stored once.</param>
    public Task<ActionOutcome> AddNoteAsync(HelpRequest request, string text, string requestId) =>
        RunAsync("add a note to", request, ct => client.AddNoteAsync(request.Name, text, requestId, ct), r => $"Note added to #{r.Number}.");

    public Task<ActionOutcome> TriageAsync(HelpRequest request, Urgency urgency, IReadOnlyList<string> tags) =>
        RunAsync("update", request, ct => client.TriageAsync(request.Name, urgency, tags, request.Etag, ct),
            r => $"#{r.Number} is now {Labels.UrgencyLong(r.Urgency)}.");

    public Task<ActionOutcome> CloseAsync(HelpRequest request, Resolution resolution, string comment) =>
        RunAsync("close", request, ct => client.CloseAsync(request.Name, resolution, comment, request.Etag, ct),
            r => $"#{r.Number} closed: {Labels.Resolution(r.Resolution)}.");

    public Task<ActionOutcome> ReopenAsync(HelpRequest request, string comment) =>
        RunAsync("reopen", request, ct => client.ReopenAsync(request.Name, comment, request.Etag, ct), r => $"#{r.Number} is open again.");

    public Task<ActionOutcome> SetFollowUpAsync(HelpRequest request, DateTimeOffset dueTime, string reason) =>
        RunAsync("follow up", request, ct => client.SetFollowUpAsync(request.Name, dueTime, reason, request.Etag, ct),
            r => $"#{r.Number} waits; follow up {dueTime.ToLocalTime():yyyy-MM-dd HH:mm}.");

    /// <summary>The other requests from the same requester as <paramref name="request"/>, to be loaded a page at a time.</summary>
    public RelatedRequests Related(HelpRequest request) => new(client, request, model.DisplayName);

    /// <summary>The audit trail of <paramref name="request"/>, to be loaded a page at a time; only for supervisors and admins.</summary>
    public AuditTrail Audit(HelpRequest request) => new(client, request, model.DisplayName);

    /// <summary>The supervisor screen's figures, read from the server as the screen asks.</summary>
    public SupervisorFigures Supervision() => new(client, time);

    private async Task<ActionOutcome> RunAsync(string what, HelpRequest request, Func<CancellationToken, Task<HelpRequest>> call,
        Func<HelpRequest, string> done)
    {
        using var timeout = new CancellationTokenSource(OperationTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(lifetime, timeout.Token);
        try
        {
            var updated = await call(linked.Token);
            model.Upsert(updated);
            return ActionOutcome.Done(done(updated));
        }
        catch (RpcException error)
        {
            if (error.StatusCode is StatusCode.Aborted or StatusCode.FailedPrecondition or StatusCode.NotFound)
            {
                // The refusal means the screen was behind; show what the server has now.
                await RefreshAsync(request.Name, linked.Token);
            }
            return ActionOutcome.Refused(Refusals.Describe(what, request.Number, error, model.DisplayName));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !lifetime.IsCancellationRequested)
        {
            // Told as the server not answering in time, like the real client's own deadline.
            var late = new RpcException(new Status(StatusCode.DeadlineExceeded, "No answer in time."));
            return ActionOutcome.Refused(Refusals.Describe(what, request.Number, late, model.DisplayName));
        }
    }

    private async Task RefreshAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            model.Upsert(await client.GetAsync(name, cancellationToken));
        }
        catch (RpcException)
        {
            // The watch stream brings the current version anyway; the refusal message is what matters now.
        }
        catch (OperationCanceledException) when (!lifetime.IsCancellationRequested)
        {
            // Out of time for the refresh: the same, the watch stream brings it.
        }
    }
}
