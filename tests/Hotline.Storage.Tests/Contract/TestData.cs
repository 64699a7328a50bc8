using System.Globalization;
using Hotline.Domain;

namespace Hotline.Storage.Tests;

internal static class TestData
{
    public static readonly OperatorAccount Intake = new("web-form", "Web form", Role.Intake);
    public static readonly OperatorAccount Supervisor = new("sup-1", "Supervisor", Role.Supervisor);

    /// <summary>Who the audit trail names for reads made by tests.</summary>
    public const string Reader = "test-reader";

    public static readonly DateTimeOffset Start = new(2025, 3, 1, 10, 0, 0, TimeSpan.Zero);

    public static OperatorAccount Operator(int i) =>
        new("op-" + i.ToString(CultureInfo.InvariantCulture), "Operator " + i.ToString(CultureInfo.InvariantCulture), Role.Operator);

    public static NewHelpRequest Submission(string key, string message = "Need help", OperatorAccount? submitter = null) => new()
    {
        IntakeRequestId = key,
        SubmittedBy = (submitter ?? Intake).Id,
        Channel = Channel.Telegram,
        ContactHandle = "@someone",
        Language = "ru",
        Message = message,
        Urgency = Urgency.Urgent,
        Region = "Grozny",
        Tags = ["housing"],
    };

    /// <summary>Field-by-field, because records compare their lists by reference.</summary>
    public static void AssertSame(HelpRequest expected, HelpRequest? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Tags, actual.Tags);
        Assert.Equal(expected.Notes, actual.Notes);
        Assert.Equal(expected with { Tags = NoTags, Notes = NoNotes }, actual with { Tags = NoTags, Notes = NoNotes });
    }

    private static readonly IReadOnlyList<string> NoTags = [];
    private static readonly IReadOnlyList<Note> NoNotes = [];
}
