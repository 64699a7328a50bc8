using Grpc.Core;
using Grpc.Net.Client;
using Hotline.Console.Remote;
using Hotline.Contract.Client;
using Hotline.Contract.V1;

namespace Hotline.Console.Demo;

/// <summary>
/// Demo mode's traffic: submits the seed queue, then a plausible request every few seconds,
/// through the public IntakeService with the console's own credential (operators may submit, as
/// for a request taken on the phone), exactly as a real web form would. Failures are retried
/// quietly; the console's own status line shows the link.
/// </summary>
public sealed class DemoIntake(Uri server, Credential credential, IReadOnlyList<PinnedCertificate> pins, TimeProvider time) : IDisposable
{
    private readonly GrpcChannel _channel = HotlineChannel.Create(server, [.. pins]);

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
