using Grpc.Core;
using Grpc.Net.Client;
using Hotline.Contract.V1;
using Xunit.Abstractions;

namespace Hotline.Server.Tests.Reliability;

/// <summary>
/// The real server with its shipped appsettings.json: a flood of refused calls, malformed or merely
/// invalid, writes a handful of lines, never one per call and never a stack trace (issue 11, item 5).
/// </summary>
[Collection(ProcessTests.Name)]
public sealed class RefusalLogProcessTests(ITestOutputHelper output) : IDisposable
{
    private const int Calls = 2_000;

    private static readonly byte[][] MalformedMessages =
    [
        [0x0A, 0x05, 0x41],
        [0x00],
        [0x08, .. Enumerable.Repeat((byte)0xFF, 10), 0x01],
        [0x12, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F],
    ];

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "hotline-refusals-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task MalformedSubmissionsWithoutAToken_AreInvalidArgument_AndLogNoStackTraceAndOnlyTheCappedLines()
    {
        await using var server = await ServerProcess.StartAsync(_dataDirectory);
        var logged = server.Output.Length;
        using var channel = GrpcChannel.ForAddress(server.Address);
        var invoker = channel.CreateCallInvoker();
        var submit = RawGrpc.Method(MethodType.Unary, "hotline.v1.IntakeService", "SubmitRequest");
        var statuses = new SortedDictionary<StatusCode, int>();
        var reasons = new SortedSet<string>(StringComparer.Ordinal);

        for (var i = 0; i < Calls; i++)
        {
            try
            {
                await invoker.AsyncUnaryCall(submit, null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(20)), MalformedMessages[i % MalformedMessages.Length])
                    .ResponseAsync.DefaultTimeout();
                Count(statuses, StatusCode.OK);
            }
            catch (RpcException ex)
            {
                Count(statuses, ex.StatusCode);
                reasons.Add(ex.GetRpcStatus() is { } status && status.GetDetail<Google.Rpc.ErrorInfo>() is { } info ? info.Reason : "(none)");
            }
        }
        var log = await LogSinceAsync(server, logged);

        Report("malformed SubmitRequest bodies without a token", statuses, reasons, log);
        Assert.Equal(Calls, statuses.GetValueOrDefault(StatusCode.InvalidArgument));
        Assert.Equal(["MALFORMED_MESSAGE"], reasons);
        Assert.DoesNotContain("Exception", log, StringComparison.Ordinal);
        Assert.DoesNotContain(" fail: ", log, StringComparison.Ordinal);
        Assert.InRange(Lines(log).Count(l => l.Contains("MALFORMED_MESSAGE", StringComparison.Ordinal)), 1, RefusalLog.LinesPerWindow + 1);
        Assert.InRange(Lines(log).Length, 1, RefusalLog.LinesPerWindow + 2);
    }

    [Fact]
    public async Task InvalidSubmissions_LogOnlyTheCappedLines()
    {
        await using var server = await ServerProcess.StartAsync(_dataDirectory);
        var logged = server.Output.Length;
        var statuses = new SortedDictionary<StatusCode, int>();

        for (var i = 0; i < Calls / 4; i++)
        {
            try
            {
                await server.Intakes.SubmitRequestAsync(new SubmitRequestRequest { RequestId = "not a valid id" }, ServerProcess.As(ServerProcess.Intake))
                    .ResponseAsync.DefaultTimeout();
                Count(statuses, StatusCode.OK);
            }
            catch (RpcException ex)
            {
                Count(statuses, ex.StatusCode);
            }
        }
        var log = await LogSinceAsync(server, logged);

        Report("SubmitRequests with invalid fields", statuses, ["INVALID_FIELDS"], log);
        Assert.Equal(Calls / 4, statuses.GetValueOrDefault(StatusCode.InvalidArgument));
        Assert.InRange(Lines(log).Count(l => l.Contains("INVALID_FIELDS", StringComparison.Ordinal)), 1, RefusalLog.LinesPerWindow + 1);
    }

    /// <summary>
    /// What the server printed after <paramref name="from"/>, once it has printed everything before a
    /// marker: a submission, whose line comes after those of every earlier call.
    /// </summary>
    private static async Task<string> LogSinceAsync(ServerProcess server, int from)
    {
        var receipt = await server.Intakes.SubmitRequestAsync(new SubmitRequestRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            Channel = Channel.WebForm,
            ContactHandle = "marker@example.org",
            Message = "marker",
        }, ServerProcess.As(ServerProcess.Intake)).ResponseAsync.DefaultTimeout();
        var marker = $"Request {receipt.Name.Split('/')[1]} number {receipt.Number} submitted";
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!server.Output.Contains(marker, StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        var log = server.Output[from..];
        var end = log.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(end >= 0, "The server never logged the marker submission.");
        var cut = log.LastIndexOf('\n', end);
        return cut < 0 ? "" : log[..cut];
    }

    private void Report(string what, SortedDictionary<StatusCode, int> statuses, IEnumerable<string> reasons, string log) =>
        output.WriteLine($"{statuses.Values.Sum()} {what}: {string.Join(", ", statuses.Select(s => $"{s.Key} {s.Value}"))} " +
            $"(reasons {string.Join(", ", reasons)}); the server logged {Lines(log).Length} lines, {System.Text.Encoding.UTF8.GetByteCount(log)} bytes:\n{Abbreviated(log)}");

    private static string[] Lines(string log) => log.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static string Abbreviated(string log) => string.Join('\n', Lines(log).Take(12).Select(l => l.Length > 300 ? l[..300] + "…" : l));

    private static void Count(SortedDictionary<StatusCode, int> statuses, StatusCode code) => statuses[code] = statuses.GetValueOrDefault(code) + 1;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
