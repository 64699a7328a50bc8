using Hotline.Domain;

namespace Hotline.Domain.Tests;

/// <summary>Stored requests in each state, as a command finds them.</summary>
internal static class Requests
{
    public static readonly DateTimeOffset Created = new(2025, 3, 1, 9, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset Earlier = Created.AddMinutes(20);

    /// <summary>The moment every command in these tests is applied at; later than any stored time.</summary>
    public static readonly DateTimeOffset Now = Created.AddHours(2);

    public static HelpRequest New() => new()
    {
        Id = "r1",
        Number = 1,
        Channel = Channel.Signal,
        ContactHandle = "@someone",
        Language = "ru",
        Message = "Нужна помощь, за мной следят.",
        Urgency = Urgency.Urgent,
        Region = "Grozny",
        Tags = ["legal"],
        State = RequestState.New,
        CreateTime = Created,
        UpdateTime = Created,
        WaitingSince = Created,
        Revision = 7,
        SubmittedBy = "webform",
    };

    public static HelpRequest HeldBy(OperatorAccount holder, RequestState state = RequestState.Assigned) =>
        New() with { Assignee = holder.Id, State = state, UpdateTime = Earlier, Revision = 8 };

    /// <summary>Closed by <paramref name="closer"/>; <paramref name="lastAssignee"/> null when it was closed while NEW.</summary>
    public static HelpRequest Closed(OperatorAccount? lastAssignee, OperatorAccount closer) => New() with
    {
        Assignee = lastAssignee?.Id,
        State = RequestState.Closed,
        Resolution = Resolution.Referred,
        ResolutionComment = "Passed to the legal partner.",
        CloseTime = Earlier,
        ClosedBy = closer.Id,
        UpdateTime = Earlier,
        Revision = 9,
    };

    /// <summary>A string of <paramref name="count"/> copies of <paramref name="unit"/>, which may be one or two UTF-16 units.</summary>
    public static string Repeat(string unit, int count) => string.Concat(Enumerable.Repeat(unit, count));
}
