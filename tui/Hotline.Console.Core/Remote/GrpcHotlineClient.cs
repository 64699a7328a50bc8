using System.Runtime.CompilerServices;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Hotline.Contract.Client;
using Hotline.Contract.V1;

namespace Hotline.Console.Remote;

/// <summary>
/// The console's calls over real gRPC channels, one per server address, each call to the server
/// <see cref="ServerAddresses.Current"/> names. Channels connect only when first used, so an
/// address the console never fails over to costs nothing.
/// </summary>
public sealed class GrpcHotlineClient : IHotlineClient, IDisposable
{
    // A console on a bad link must notice a dead connection by itself: unary calls give up after
    // this long (the operator is told and may retry) and HTTP/2 pings probe an idle stream.
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(15);

    private readonly Credential _credential;
    private readonly ServerAddresses _servers;
    private readonly Server[] _channels;

    public GrpcHotlineClient(Uri server, Credential credential, IReadOnlyList<PinnedCertificate> pins)
        : this(new ServerAddresses([server]), credential, pins)
    {
    }

    public GrpcHotlineClient(ServerAddresses servers, Credential credential, IReadOnlyList<PinnedCertificate> pins)
    {
        _credential = credential;
        _servers = servers;
        HotlineChannel.ValidateAddresses(servers.All, [.. pins]);
        _channels = [.. servers.All.Select(address => new Server(Open(address, pins)))];
    }

    /// <summary>The server the console is on now; read once per call, so a call never straddles two.</summary>
    private Server Current => _channels[_servers.CurrentIndex];

    public async Task<Operator> WhoAmIAsync(CancellationToken cancellationToken) =>
        (await Current.Operators.WhoAmIAsync(new WhoAmIRequest(), Unary(cancellationToken))).Operator;

    public async Task EndMySessionAsync(CancellationToken cancellationToken) =>
        await Current.Operators.EndMySessionAsync(new EndMySessionRequest(), Unary(cancellationToken));

    public async Task<IReadOnlyList<Operator>> ListOperatorsAsync(CancellationToken cancellationToken) =>
        (await Current.Operators.ListOperatorsAsync(new ListOperatorsRequest(), Unary(cancellationToken))).Operators;

    public async IAsyncEnumerable<WatchRequestsResponse> WatchAsync(long startRevision, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var call = Current.Requests.WatchRequests(new WatchRequestsRequest { StartRevision = startRevision },
            new CallOptions(Headers(), cancellationToken: cancellationToken));
        await foreach (var message in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            yield return message;
        }
    }

    public async Task<HelpRequest> GetAsync(string name, CancellationToken cancellationToken) =>
        (await Current.Requests.GetRequestAsync(new GetRequestRequest { Name = name }, Unary(cancellationToken))).Request;

    public async Task<ListRelatedRequestsResponse> ListRelatedAsync(string name, int pageSize, string pageToken, CancellationToken cancellationToken) =>
        await Current.Requests.ListRelatedRequestsAsync(new ListRelatedRequestsRequest { Name = name, PageSize = pageSize, PageToken = pageToken },
            Unary(cancellationToken));

    public async Task<ListAuditEventsResponse> ListAuditEventsAsync(string name, int pageSize, string pageToken, CancellationToken cancellationToken) =>
        await Current.Audit.ListAuditEventsAsync(new ListAuditEventsRequest { Request = name, PageSize = pageSize, PageToken = pageToken },
            Unary(cancellationToken));

    public async Task<GetQueueStatsResponse> GetQueueStatsAsync(CancellationToken cancellationToken) =>
        await Current.Stats.GetQueueStatsAsync(new GetQueueStatsRequest(), Unary(cancellationToken));

    public Task<HelpRequest> AssignAsync(string name, string assignee, CancellationToken cancellationToken) =>
        AssignAsync(name, assignee, "", cancellationToken);

    public async Task<HelpRequest> AssignAsync(string name, string assignee, string handOverNote, CancellationToken cancellationToken) =>
        (await Current.Requests.AssignRequestAsync(new AssignRequestRequest { Name = name, Assignee = assignee, HandOverNote = handOverNote },
            Unary(cancellationToken))).Request;

    public async Task<HelpRequest> ReleaseAsync(string name, string etag, CancellationToken cancellationToken) =>
        (await Current.Requests.ReleaseRequestAsync(new ReleaseRequestRequest { Name = name, Etag = etag }, Unary(cancellationToken))).Request;

    public async Task<HelpRequest> AddNoteAsync(string name, string text, string requestId, CancellationToken cancellationToken) =>
        (await Current.Requests.AddNoteAsync(new AddNoteRequest { Name = name, Text = text, RequestId = requestId }, Unary(cancellationToken))).Request;

    public async Task<HelpRequest> TriageAsync(string name, Urgency urgency, IReadOnlyList<string> tags, string etag, CancellationToken cancellationToken)
    {
        var request = new HelpRequest { Name = name, Urgency = urgency, Etag = etag };
        request.Tags.AddRange(tags);
        var update = new UpdateRequestRequest { Request = request, UpdateMask = new FieldMask { Paths = { "urgency", "tags" } } };
        return (await Current.Requests.UpdateRequestAsync(update, Unary(cancellationToken))).Request;
    }

    public async Task<HelpRequest> CloseAsync(string name, Resolution resolution, string comment, string etag, CancellationToken cancellationToken) =>
        (await Current.Requests.CloseRequestAsync(new CloseRequestRequest { Name = name, Resolution = resolution, Comment = comment, Etag = etag },
            Unary(cancellationToken))).Request;

    public async Task<HelpRequest> ReopenAsync(string name, string comment, string etag, CancellationToken cancellationToken) =>
        (await Current.Requests.ReopenRequestAsync(new ReopenRequestRequest { Name = name, Comment = comment, Etag = etag },
            Unary(cancellationToken))).Request;

    public async Task<HelpRequest> SetFollowUpAsync(string name, DateTimeOffset dueTime, string reason, string etag, CancellationToken cancellationToken) =>
        (await Current.Requests.SetFollowUpAsync(new SetFollowUpRequest
        {
            Name = name,
            DueTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(dueTime),
            Reason = reason,
            Etag = etag,
        }, Unary(cancellationToken))).Request;

    public void Dispose()
    {
        foreach (var server in _channels)
        {
            server.Channel.Dispose();
        }
    }

    private static GrpcChannel Open(Uri address, IReadOnlyList<PinnedCertificate> pins)
    {
        var handler = HotlineChannel.CreateHandler(address, [.. pins]);
        handler.ConnectTimeout = TimeSpan.FromSeconds(10);
        handler.KeepAlivePingDelay = TimeSpan.FromSeconds(20);
        handler.KeepAlivePingTimeout = TimeSpan.FromSeconds(10);
        handler.KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always;
        return GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
    }

    private CallOptions Unary(CancellationToken cancellationToken) =>
        new(Headers(), DateTime.UtcNow.Add(CallTimeout), cancellationToken);

    /// <summary>One server's channel and the service clients over it (each is a thin wrapper; made once).</summary>
    private sealed class Server(GrpcChannel channel)
    {
        public GrpcChannel Channel { get; } = channel;

        public RequestService.RequestServiceClient Requests { get; } = new(channel);

        public OperatorService.OperatorServiceClient Operators { get; } = new(channel);

        public AuditService.AuditServiceClient Audit { get; } = new(channel);

        public StatsService.StatsServiceClient Stats { get; } = new(channel);
    }

    private Metadata Headers()
    {
        var headers = new Metadata();
        _credential.AddTo(headers);
        return headers;
    }
}
