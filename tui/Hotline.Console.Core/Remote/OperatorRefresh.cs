using Grpc.Core;
using Hotline.Console.State;

namespace Hotline.Console.Remote;

/// <summary>
/// Keeps the console's list of people current while it runs. The watch loop reads the list only
/// when it connects, but people are added, renamed and disabled during a shift, and who is
/// connected changes by the minute. This reads WhoAmI and ListOperators again every
/// <see cref="Period"/>, and soon after <see cref="Nudge"/> (the model met a name it does not
/// know), and posts the answer as an <see cref="IdentityKnown"/> through the same inbox as the
/// watch loop.
/// </summary>
/// <remarks>
/// Only while <see cref="Connected"/>: a console that is offline or refused makes no extra calls,
/// since failed authentications count against its address and the watch loop's reconnect reads
/// the list anyway. Nudges that arrive while a read is under way are answered by the next one,
/// at least <see cref="MinimumGap"/> later, so a burst of unknown names costs one or two reads.
/// <see cref="Nudge"/> and <see cref="Connected"/> are safe from any thread.
/// </remarks>
public sealed class OperatorRefresh(IHotlineClient client, Action<FeedEvent> post, TimeProvider time)
{
    private TaskCompletionSource _nudge = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _connected;

    public TimeSpan Period { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan MinimumGap { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Whether the watch stream is open now; set from the model's connection state.</summary>
    public bool Connected
    {
        get => _connected;
        set => _connected = value;
    }

    /// <summary>Asks for a read soon, instead of at the end of the period.</summary>
    public void Nudge() => Volatile.Read(ref _nudge).TrySetResult();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var nudged = Volatile.Read(ref _nudge).Task;
            using (var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                await Task.WhenAny(nudged, Task.Delay(Period, time, waiting.Token)).ConfigureAwait(false);
                await waiting.CancelAsync().ConfigureAwait(false);
            }
            if (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            if (nudged.IsCompleted)
            {
                // Replaced before reading: a nudge from now on asks for the read after this one.
                Volatile.Write(ref _nudge, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            }
            if (Connected)
            {
                await ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            try
            {
                await Task.Delay(MinimumGap, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var me = await client.WhoAmIAsync(cancellationToken).ConfigureAwait(false);
            var operators = await client.ListOperatorsAsync(cancellationToken).ConfigureAwait(false);
            post(new IdentityKnown(me, operators));
        }
        catch (RpcException)
        {
            // The link or the token failed; the watch loop shows it and reads the list on reconnect.
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The console is closing.
        }
    }
}
