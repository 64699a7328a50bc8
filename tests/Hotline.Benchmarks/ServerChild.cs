using Grpc.Core;
using Grpc.Net.Client;
using Hotline.Contract.Client;
using Hotline.Tests;

namespace Hotline.Benchmarks;

/// <summary>
/// The built server binary in a child process on 127.0.0.1, as an installation runs it (its own
/// garbage collector settings, its own logs), over a data directory the benchmark filled. Its
/// memory and CPU are read from /proc, so they are the server's alone, never the client's.
/// </summary>
internal sealed class ServerChild : ServerBinaryProcess
{
    private ServerChild(IEnumerable<string> arguments)
        // The server logs no request content; its output is read only for the address, and dropped.
        : base(arguments, new Dictionary<string, string?> { ["HOTLINE_MASTER_KEY"] = null }, keepOutput: false)
    {
    }

    /// <summary>Starts the server on <paramref name="dataDirectory"/> with the master key in <paramref name="keyFile"/> and waits until it listens.</summary>
    public static async Task<ServerChild> StartAsync(string dataDirectory, string keyFile, params string[] arguments)
    {
        // Intake limits are lifted: the benchmark measures storage and transport, not flood control.
        var child = new ServerChild(["--data-dir", dataDirectory, "--Hotline:MasterKeyFile", keyFile, .. UnlimitedIntake, .. arguments]);
        child.Start();
        await child.WaitUntilListeningAsync(TimeSpan.FromSeconds(60));
        return child;
    }

    /// <summary>A channel with connections of its own, as one workstation or gateway would have.</summary>
    public GrpcChannel NewChannel() => HotlineChannel.Create(Address);

    /// <summary>SIGTERM and a clean exit (the store checkpoints and closes); SIGKILL if that takes over a minute.</summary>
    public override async ValueTask DisposeAsync()
    {
        try
        {
            await TerminateAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            // Still running: the base class kills it.
        }
        await base.DisposeAsync();
    }
}

/// <summary>Bearer tokens of the accounts a filled data directory holds.</summary>
internal static class ScaleCallers
{
    public const string Intake = Synthetic.IntakeCaller;
    public const string Operator = Synthetic.OperatorCaller;
    public const string Supervisor = "lena";

    /// <summary>One account per console of the "consoles connecting at once" figure: a person may hold only a few watch streams.</summary>
    public static readonly string[] Consoles = [.. Enumerable.Range(1, 10).Select(i => "console" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    private static readonly Dictionary<string, (Domain.Role Role, string Token)> Accounts =
        new[] { (Intake, Domain.Role.Intake), (Operator, Domain.Role.Operator), (Supervisor, Domain.Role.Supervisor) }
            .Concat(Consoles.Select(c => (c, Domain.Role.Operator)))
            .ToDictionary(a => a.Item1, a => (a.Item2, Domain.AccessTokens.New()), StringComparer.Ordinal);

    public static IEnumerable<(string Id, Domain.Role Role, string Token)> All => Accounts.Select(a => (a.Key, a.Value.Role, a.Value.Token));

    public static CallOptions As(string id, TimeSpan? deadline = null) =>
        new(new Metadata { { "authorization", "Bearer " + Accounts[id].Token } }, deadline: DateTime.UtcNow + (deadline ?? TimeSpan.FromSeconds(60)));

    public static CallOptions Streaming(string id, CancellationToken cancellationToken) =>
        new(new Metadata { { "authorization", "Bearer " + Accounts[id].Token } }, cancellationToken: cancellationToken);

    /// <summary>A console connecting as the operator: from the call to snapshot_end; the time and the requests it was sent.</summary>
    public static async Task<(double Milliseconds, int Requests)> SnapshotAsync(Contract.V1.RequestService.RequestServiceClient client,
        CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // A stalled stream fails the benchmark instead of holding it for ever.
        stop.CancelAfter(TimeSpan.FromMinutes(5));
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var call = client.WatchRequests(new Contract.V1.WatchRequestsRequest(), Streaming(Operator, stop.Token));
        var requests = 0;
        while (await call.ResponseStream.MoveNext(stop.Token))
        {
            var message = call.ResponseStream.Current;
            if (message.EventCase == Contract.V1.WatchRequestsResponse.EventOneofCase.Snapshot)
            {
                requests += message.Snapshot.Requests.Count;
            }
            else if (message.EventCase == Contract.V1.WatchRequestsResponse.EventOneofCase.SnapshotEnd)
            {
                var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                await stop.CancelAsync();
                return (elapsed, requests);
            }
        }
        throw new InvalidOperationException("The watch stream ended before its snapshot did.");
    }
}
