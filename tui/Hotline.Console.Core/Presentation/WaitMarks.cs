using Hotline.Contract.V1;

namespace Hotline.Console.Presentation;

/// <summary>
/// The text marks of requests that wait too long, shown in the queue's state cell so they read
/// without colour (NO_COLOR): <c>!1</c> / <c>!2</c> an unclaimed request past its urgency's first /
/// second escalation threshold, <c>F!</c> a follow-up that is due.
/// </summary>
public static class WaitMarks
{
    public const string FollowUpDue = "F!";

    /// <summary>The escalation step that counts for the queue: only a request nobody holds is overdue.</summary>
    public static int Step(HelpRequest request) => request.State == RequestState.New ? request.EscalationStep : 0;

    public static string Of(HelpRequest request) =>
        request.State == RequestState.Closed ? ""
        : Step(request) > 0 ? "!" + Step(request).ToString(System.Globalization.CultureInfo.InvariantCulture)
        : request.FollowUp is { Due: true } ? FollowUpDue
        : "";
}
