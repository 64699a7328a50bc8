using Google.Protobuf.WellKnownTypes;
using Hotline.Console.State;
using Hotline.Contract.V1;

namespace Hotline.Console.Tests;

/// <summary>Requests and watch messages for tests, in the languages operators really see.</summary>
internal static class Requests
{
    public static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public const string Russian = "Мужа задержали на блокпосту, телефон выключен.\nЧто делать?";
    public const string Chechen = "ГӀо де, дехар до! Сан ваша тахана лаьцна.";

    public static HelpRequest Make(long number, Urgency urgency = Urgency.Routine, string message = "Need legal advice about a summons.",
        RequestState state = RequestState.New, string assignee = "", Channel channel = Channel.Telegram, string language = "en",
        long? revision = null, DateTimeOffset? created = null)
    {
        var createdAt = created ?? T0.AddMinutes(number);
        var request = new HelpRequest
        {
            Name = $"requests/r{number}",
            Number = number,
            Urgency = urgency,
            Message = message,
            State = state,
            Assignee = assignee,
            Channel = channel,
            Language = language,
            ContactHandle = $"@person{number}",
            Region = "Грозный",
            CreateTime = Timestamp.FromDateTimeOffset(createdAt),
            UpdateTime = Timestamp.FromDateTimeOffset(createdAt),
            Revision = revision ?? number,
        };
        request.Etag = $"e{request.Revision}";
        if (state == RequestState.Closed)
        {
            request.CloseTime = Timestamp.FromDateTimeOffset(createdAt.AddMinutes(5));
            request.Resolution = Resolution.InformationGiven;
        }
        return request;
    }

    public static HelpRequest With(this HelpRequest request, long revision, Action<HelpRequest> change)
    {
        var copy = request.Clone();
        change(copy);
        copy.Revision = revision;
        copy.Etag = $"e{revision}";
        return copy;
    }

    public static FeedEvent Snapshot(params HelpRequest[] requests)
    {
        var page = new WatchSnapshot();
        page.Requests.AddRange(requests);
        return new FeedMessage(new WatchRequestsResponse { Snapshot = page });
    }

    public static FeedEvent SnapshotEnd(long revision) =>
        new FeedMessage(new WatchRequestsResponse { SnapshotEnd = new WatchSnapshotEnd { Revision = revision } });

    public static FeedEvent Change(long revision, ChangeKind kind, HelpRequest request) =>
        new FeedMessage(ChangeMessage(revision, kind, request));

    public static WatchRequestsResponse ChangeMessage(long revision, ChangeKind kind, HelpRequest request) =>
        new() { Change = new RequestChange { Revision = revision, Kind = kind, Name = request.Name, Request = request, Actor = "operators/timur" } };

    public static FeedEvent Progress(long revision) =>
        new FeedMessage(new WatchRequestsResponse { Progress = new WatchProgress { Revision = revision } });

    public static FeedEvent Reset() => new FeedMessage(new WatchRequestsResponse { Reset = new WatchReset { Reason = "REVISION_COMPACTED" } });

    /// <summary>An audit event as the server sends it: who, what, when and which requests, never content.</summary>
    public static AuditEvent Audit(long sequence, AuditAction action, string actor, DateTimeOffset time, params string[] requests)
    {
        var audit = new AuditEvent
        {
            Sequence = sequence,
            Action = action,
            Actor = actor,
            Time = Timestamp.FromDateTimeOffset(time),
            Hash = sequence.ToString("x64", System.Globalization.CultureInfo.InvariantCulture),
        };
        audit.Requests.AddRange(requests);
        return audit;
    }

    public static Operator Operator(string id, string displayName, OperatorRole role = OperatorRole.Operator) =>
        new() { Name = $"operators/{id}", DisplayName = displayName, Role = role };

    public static readonly Operator Anna = Operator("anna", "Anna K.");
    public static readonly Operator Timur = Operator("timur", "Timur B.");
    public static readonly Operator Lena = Operator("lena", "Lena S.", OperatorRole.Supervisor);
}
