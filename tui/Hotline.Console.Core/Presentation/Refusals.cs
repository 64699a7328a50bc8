using Google.Rpc;
using Grpc.Core;

namespace Hotline.Console.Presentation;

/// <summary>
/// What to tell the operator when the server says no: who holds the request, that the view was
/// stale and has been refreshed, which field is wrong. Built only from the status and its
/// ErrorInfo/BadRequest details, never from request content.
/// </summary>
public static class Refusals
{
    /// <param name="what">The action, as a verb phrase: "claim", "close".</param>
    /// <param name="number">The request's number, as the operator knows it.</param>
    /// <param name="displayName">`operators/{id}` -> a name to show.</param>
    /// <param name="changes">False for a read, which has nothing to reassure about when the link fails.</param>
    public static string Describe(string what, long number, RpcException error, Func<string, string> displayName, bool changes = true)
    {
        var status = error.GetRpcStatus();
        var info = status?.GetDetail<ErrorInfo>();
        var reason = info?.Reason ?? "";
        string Meta(string key) => info is not null && info.Metadata.TryGetValue(key, out var value) ? value : "";
        string Holder()
        {
            var holder = Meta("assignee");
            return holder.Length == 0 ? "someone else" : Labels.Person(holder, displayName);
        }

        var prefix = $"Could not {what} #{number}: ";
        return (error.StatusCode, reason) switch
        {
            (_, "ALREADY_ASSIGNED") => prefix + $"{Holder()} already holds it.",
            (_, "NOT_ASSIGNEE") => prefix + $"{Holder()} holds it; only they or a supervisor can.",
            (_, "NOT_ASSIGNED") => prefix + "nobody holds it.",
            (_, "REQUEST_CLOSED") => prefix + $"it is closed (to reopen it, select #{number} and press o).",
            (_, "REQUEST_OPEN") => prefix + "it is already open.",
            (_, "ETAG_MISMATCH") => prefix + "someone changed it a moment ago. The view is refreshed; check it and try again.",
            (_, "OPERATOR_NOT_FOUND") => prefix + "that operator does not exist.",
            (_, "OPERATOR_DISABLED") => prefix + "that operator is disabled.",
            (_, "REQUEST_NOT_FOUND") => prefix + "it no longer exists.",
            (_, "INVALID_FIELDS") => prefix + Fields(status),
            (_, "LOCKED_DOWN") => prefix + "the hotline is locked down until an admin unlocks it.",
            (StatusCode.PermissionDenied, _) => prefix + $"you are not allowed to{Role(Meta("required_role"))}.",
            (StatusCode.Unauthenticated, _) => prefix + "you are not signed in; check your credentials.",
            (StatusCode.Unavailable, _) or (StatusCode.DeadlineExceeded, _) or (StatusCode.Cancelled, _) =>
                prefix + (changes ? "the server did not answer. Nothing was changed; try again when connected." : "the server did not answer; try again when connected."),
            _ => prefix + $"the server refused ({error.StatusCode}{(reason.Length > 0 ? " " + reason : "")}).",
        };
    }

    private static string Fields(Google.Rpc.Status? status)
    {
        var violations = status?.GetDetail<BadRequest>()?.FieldViolations;
        if (violations is null || violations.Count == 0)
        {
            return "some input is not valid.";
        }
        return "check " + string.Join("; ", violations.Select(v => $"{v.Field}: {v.Description}")) + ".";
    }

    private static string Role(string role) => role.Length == 0 ? "" : $" (needs {role.ToLowerInvariant().Replace("operator_role_", "", StringComparison.Ordinal)})";
}
