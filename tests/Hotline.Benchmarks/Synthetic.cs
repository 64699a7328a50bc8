using System.Globalization;
using Hotline.Contract.V1;
using Hotline.Domain;
using LiteDB;
using Domain = Hotline.Domain;

namespace Hotline.Benchmarks;

/// <summary>
/// Made-up submissions of a realistic size (a few hundred characters of message). Nothing here
/// resembles what a real requester writes, and none of it is ever printed.
/// </summary>
internal static class Synthetic
{
    public const string IntakeCaller = "web-form";
    public const string OperatorCaller = "anna";

    private static readonly string Message = string.Concat(Enumerable.Repeat("synthetic benchmark text ", 12));

    public static NewHelpRequest Submission(string key) => new()
    {
        IntakeRequestId = key,
        SubmittedBy = IntakeCaller,
        Channel = Domain.Channel.Telegram,
        ContactHandle = "@bench-" + key,
        Language = "en",
        Message = Message,
        Urgency = Domain.Urgency.Urgent,
        Region = "bench-region",
        Tags = ["bench"],
    };

    public static SubmitRequestRequest SubmitRequest(string key) => new()
    {
        RequestId = key,
        Channel = Contract.V1.Channel.Telegram,
        ContactHandle = "@bench-" + key,
        Language = "en",
        Message = Message,
        Urgency = Contract.V1.Urgency.Urgent,
        Region = "bench-region",
        Tags = { "bench" },
    };

    /// <summary>The shape and size of a stored request, for the raw LiteDB peers.</summary>
    public static BsonDocument RequestDocument(long number) => new()
    {
        ["_id"] = "bench" + number.ToString("D15", CultureInfo.InvariantCulture),
        ["number"] = number,
        ["channel"] = 3,
        ["contact_handle"] = "@bench-" + number.ToString(CultureInfo.InvariantCulture),
        ["language"] = "en",
        ["message"] = Message,
        ["urgency"] = 2,
        ["region"] = "bench-region",
        ["tags"] = new BsonArray(new BsonValue("bench")),
        ["state"] = 1,
        ["assignee"] = BsonValue.Null,
        ["notes"] = new BsonArray(),
        ["resolution"] = 0,
        ["resolution_comment"] = "",
        ["closed_by"] = BsonValue.Null,
        ["create_time"] = DateTime.UtcNow.Ticks,
        ["update_time"] = DateTime.UtcNow.Ticks,
        ["close_time"] = BsonValue.Null,
        ["revision"] = number,
        ["submitted_by"] = IntakeCaller,
    };

    /// <summary>Unique per process, so keys from different repetitions never collide.</summary>
    public static string NewKeyPrefix() => Guid.NewGuid().ToString("N")[..12] + "-";
}

/// <summary>A fresh directory under the system temp folder, deleted with everything in it.</summary>
internal sealed class ScratchDirectory : IDisposable
{
    public ScratchDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "hotline-bench-" + Guid.NewGuid().ToString("N"));

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public long Bytes(string name) => new DirectoryInfo(Sub(name)).EnumerateFiles().Sum(f => f.Length);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
