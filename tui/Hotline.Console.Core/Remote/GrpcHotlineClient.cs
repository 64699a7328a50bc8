using System.Runtime.CompilerServices;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Hotline.Contract.Client;
using Hotline.Contract.V1;

namespace Hotline.Console.Remote;

/// <summary>The console's calls over a real gRPC channel.</summary>
public sealed class GrpcHotlineClient : IHotlineClient, IDisposable
{
    // A console on a bad link must notice a dead connection by itself: unary calls give up after
    // this long (the operator is told and may retry) and HTTP/2 pings probe an idle stream.
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(15);

    private readonly GrpcChannel _channel;
    private readonly Credential _credential;
    private readonly RequestService.RequestServiceClient _requests;
    private readonly OperatorService.OperatorServiceClient _operators;
    private readonly AuditService.AuditServiceClient _audit;
    private readonly StatsService.StatsServiceClient _stats;

    public GrpcHotlineClient(Uri server, Credential credential, IReadOnlyList<PinnedCertificate> pins)
    {
        _credential = credential;
        var handler = HotlineChannel.CreateHandler(server, [.. pins]);
        handler.ConnectTimeout = TimeSpan.FromSeconds(10);
        handler.KeepAlivePingDelay = TimeSpan.FromSeconds(20);
        handler.KeepAlivePingTimeout = TimeSpan.FromSeconds(10);
        handler.KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always;
        _channel = GrpcChannel.ForAddress(server, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
        _requests = new RequestService.RequestServiceClient(_channel);
        _operators = new OperatorService.OperatorServiceClient(_channel);
        _audit = new AuditService.AuditServiceClient(_channel);
        _stats = new StatsService.StatsServiceClient(_channel);
    }

    public async Task<Operator> WhoAmIAsync(CancellationToken cancellationToken) =>
        (await _operators.WhoAmIAsync(new WhoAmIRequest(), Unary(cancellationToken))).Operator;

    public async Task EndMySessionAsync(CancellationToken cancellationToken) =>
        await _operators.EndMySessionAsync(new EndMySessionRequest(), Unary(cancellationToken));

    public async Task<IReadOnlyList<Operator>> ListOperatorsAsync(CancellationToken cancellationToken) =>
        (await _operators.ListOperatorsAsync(new ListOperatorsRequest(), Unary(cancellationToken))).Operators;

    public async IAsyncEnumerable<WatchRequestsResponse> WatchAsync(long startRevision, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var call = _requests.WatchRequests(new WatchRequestsRequest { StartRevision = startRevision },
            new CallOptions(Headers(), cancellationToken: cancellationToken));
        await foreach (var message in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            yield return message;
        }
    }

    public async Task<HelpRequest> GetAsync(string name, CancellationToken cancellationToken) =>
        (await _requests.GetRequestAsync(new GetRequestRequest { Name = name }, Unary(cancellationToken))).Request;

    public async Task<ListRelatedRequestsResponse> ListRelatedAsync(string name, int pageSize, string pageToken, CancellationToken cancellationToken) =>
        await _requests.ListRelatedRequestsAsync(new ListRelatedRequestsRequest { Name = name, PageSize = pageSize, PageToken = pageToken },
            Unary(cancellationToken));

    public async Task<ListAuditEventsResponse> ListAuditEventsAsync(string name, int pageSize, string pageToken, CancellationToken cancellationToken) =>
        await _audit.ListAuditEventsAsync(new ListAuditEventsRequest { Request = name, PageSize = pageSize, PageToken = pageToken },
            Unary(cancellationToken));

    public async Task<GetQueueStatsResponse> GetQueueStatsAsync(CancellationToken cancellationToken) =>
        await _stats.GetQueueStatsAsync(new GetQueueStatsRequest(), Unary(cancellationToken));

    public Task<HelpRequest> AssignAsync(string name, string assignee, CancellationToken cancellationToken) =>
        AssignAsync(name, assignee, "", cancellationToken);

    public async Task<HelpRequest> AssignAsync(string name, string assignee, string handOverNote, CancellationToken cancellationToken) =>
        (await _requests.AssignRequestAsync(new AssignRequestRequest { Name = name, Assignee = assignee, HandOverNote = handOverNote },
            Unary(cancellationToken))).Request;

    public async Task<HelpRequest> ReleaseAsync(string name, string etag, CancellationToken cancellationToken) =>
        (await _requests.ReleaseRequestAsync(new ReleaseRequestRequest { Name = name, Etag = etag }, Unary(cancellationToken))).Request;

    public async Task<HelpRequest> AddNoteAsync(string name, string text, string requestId, CancellationToken cancellationToken) =>
        (await _requests.AddNoteAsync(new AddNoteRequest { Name = name, Text = text, RequestId = requestId }, Unary(cancellationToken))).Request;

    public async Task<HelpRequest> TriageAsync(string name, Urgency urgency, IReadOnlyList<string> tags, string etag, CancellationToken cancellationToken)
    {
        var request = new HelpRequest { Name = name, Urgency = urgency, Etag = etag };
        request.Tags.AddRange(tags);
        var update = new UpdateRequestRequest { Request = request, UpdateMask = new FieldMask { Paths = { "urgency", "tags" } } };
        return (await _requests.UpdateRequestAsync(update, Unary(cancellationToken))).Request;
    }

    public async Task<HelpRequest> CloseAsync(string name, Resolution resolution, string comment, string etag, CancellationToken cancellationToken) =>
        (await _requests.CloseRequestAsync(new CloseRequestRequest { Name = name, Resolution = resolution, Comment = comment, Etag = etag },
            Unary(cancellationToken))).Request;

    public async Task<HelpRequest> ReopenAsync(string name, string comment, string etag, CancellationToken cancellationToken) =>
        (await _requests.ReopenRequestAsync(new ReopenRequestRequest { Name = name, Comment = comment, Etag = etag },
            Unary(cancellationToken))).Request;

    public async Task<HelpRequest> SetFollowUpAsync(string name, DateTimeOffset dueTime, string reason, string etag, CancellationToken cancellationToken) =>
        (await _requests.SetFollowUpAsync(new SetFollowUpRequest
        {
            Name = name,
            DueTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(dueTime),
            Reason = reason,
            Etag = etag,
        }, Unary(cancellationToken))).Request;

    public void Dispose() => _channel.Dispose();

    private CallOptions Unary(CancellationToken cancellationToken) =>
        new(Headers(), DateTime.UtcNow.Add(CallTimeout), cancellationToken);

    private Metadata Headers()
    {
        var headers = new Metadata();
        _credential.AddTo(headers);
        return headers;
    }
}
