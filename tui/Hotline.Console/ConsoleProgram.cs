using Grpc.Core;
using Hotline.Console.Demo;
using Hotline.Console.Operations;
using Hotline.Console.Remote;
using Hotline.Console.State;
using Hotline.Console.Views;
using Terminal.Gui.App;

namespace Hotline.Console;

/// <summary>Wires the console together: options, the gRPC client, the model, the watch loop, the window.</summary>
public static class ConsoleProgram
{
    // Leaves nothing of the session in the terminal: the screen, the scrollback, the cursor home.
    private const string ClearTerminal = "\u001b[0m\u001b[2J\u001b[3J\u001b[H";

    public static async Task<int> RunAsync(string[] args)
    {
        var (options, error) = ConsoleOptions.Parse(args, Environment.GetEnvironmentVariable);
        if (options is null)
        {
            if (error is not null)
            {
                await System.Console.Error.WriteLineAsync($"hotline-console: {error}\n");
            }
            await (error is null ? System.Console.Out : System.Console.Error).WriteLineAsync(ConsoleOptions.Help);
            return error is null ? 0 : 2;
        }

        var servers = new ServerAddresses(options.Servers);
        using var client = new GrpcHotlineClient(servers, options.Credential, options.Pins);
        var model = new QueueModel();
        var drafts = new NoteDrafts();
        using var stop = new CancellationTokenSource();
        using var app = Application.Create().Init();
        if (options.Colors == ColorMode.Sixteen)
        {
            app.Driver!.Force16Colors = true;
        }
        using var window = new ConsoleWindow(model, new RequestOperations(client, model, TimeProvider.System, stop.Token), drafts, new Palette(options.Colors),
            TimeProvider.System, TimeZoneInfo.Local, options.Bell, () => System.Console.Out.Write('\a'));
        var panicked = false;
        window.OnPanic = () => panicked = true;
        window.Attach(app);

        FeedInbox? inbox = null;
        inbox = new FeedInbox(() => app.Invoke(() => model.Apply(inbox!.Drain())));
        var loop = new WatchLoop(client, inbox.Post, TimeProvider.System, ReconnectBackoff.Default) { Servers = servers };
        window.OnRetryNow = () => loop.RetryNow();
        var watching = Task.Run(() => loop.RunAsync(stop.Token));
        var people = new OperatorRefresh(client, inbox.Post, TimeProvider.System);
        model.Changed += _ => people.Connected = model.Connection.State == LinkState.Connected;
        model.OperatorsOutdated += people.Nudge;
        var refreshing = Task.Run(() => people.RunAsync(stop.Token));
        using var demo = options.Demo ? DemoIntake.For(options, TimeProvider.System) : null;
        var demoing = demo is null ? Task.CompletedTask : Task.Run(() => demo.RunAsync(stop.Token));

        app.Run(window);
        // Terminal.Gui's synchronization context outlives its loop: an await resuming on it now would never run.
        SynchronizationContext.SetSynchronizationContext(null);
        await stop.CancelAsync();
        if (panicked)
        {
            app.Dispose();
            await PanicExitAsync(client);
        }
        try
        {
            await Task.WhenAll(watching, demoing, refreshing).WaitAsync(TimeSpan.FromSeconds(3)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The process is ending; an unfinished network call has nothing left to deliver.
        }
        return 0;
    }

    /// <summary>
    /// After the panic key, with the terminal restored: wipe it, then for at most two seconds
    /// revoke this console's token so a seized laptop cannot reconnect, and exit whatever the
    /// network says.
    /// </summary>
    private static async Task PanicExitAsync(GrpcHotlineClient client)
    {
        await System.Console.Out.WriteAsync(ClearTerminal);
        await System.Console.Out.FlushAsync();
        try
        {
            using var revoke = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await client.EndMySessionAsync(revoke.Token).WaitAsync(TimeSpan.FromSeconds(2), revoke.Token);
        }
        catch (Exception error) when (error is RpcException or OperationCanceledException or TimeoutException)
        {
            // Offline or already revoked: the screen is clear, which matters most.
        }
        Environment.Exit(0);
    }
}
