using Grpc.Core;
using Grpc.Net.Client;
using Hotline.Console.Remote;
using Hotline.Contract.Client;
using Hotline.Contract.V1;

namespace Hotline.Console.Demo;

/// <summary>
/// Demo mode's traffic: submits the seed queue, then a plausible request every few seconds,
/// through the public IntakeService, exactly as a real web form would, and with a web form's
/// intake token when it was given one (run.sh gives it `web-form`'s), so the audit trail says
/// who submitted what as it would in production. Without one it uses the operator's own token
/// (operators may submit, as for a request taken on the phone). Failures are retried quietly;
/// the console's own status line shows the link.
/// </summary>
public sealed class DemoIntake(Uri server, Credential credential, IReadOnlyList<PinnedCertificate> pins, TimeProvider time) : IDisposable
{
    private readonly GrpcChannel _channel = HotlineChannel.Create(server, [.. pins]);

    /// <summary>The demo as the console's options ask for it.</summary>
    public static DemoIntake For(ConsoleOptions options, TimeProvider time) => new(options.Server, options.DemoSubmitter, options.Pins, time);

    /// <summary>How often a new request arrives, on average.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(6);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var intake = new IntakeService.IntakeServiceClient(_channel);
        var random = new Random();
        var pending = new Queue<SubmitRequestRequest>(DemoRequests.Seed());
        var seeding = true;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (pending.Count == 0)
            {
                seeding = false;
                pending.Enqueue(DemoRequests.Next(random));
            }
            try
            {
                // Dequeued only once stored: a retry resends the same request id, so nothing is stored twice.
                await intake.SubmitRequestAsync(pending.Peek(), Headers(), DateTime.UtcNow.AddSeconds(10), cancellationToken);
                pending.Dequeue();
                if (seeding)
                {
                    continue;
                }
            }
            catch (RpcException) when (!cancellationToken.IsCancellationRequested)
            {
                // The server may be down or restarting; try again after the pause.
            }
            catch (Exception error) when (error is RpcException or OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                // The console is closing; a submit cut short is resent with the same request id next time.
                return;
            }
            try
            {
                await Task.Delay(Interval * (0.5 + random.NextDouble()), time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public void Dispose() => _channel.Dispose();

    private Metadata Headers()
    {
        var headers = new Metadata();
        credential.AddTo(headers);
        return headers;
    }
}
