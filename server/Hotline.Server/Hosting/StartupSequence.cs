using Hotline.Server.Access;
using Hotline.Server.Admin;
using Hotline.Server.Store;
using Microsoft.Extensions.Options;

namespace Hotline.Server.Hosting;

/// <summary>
/// What must be ready before the first call, in the order it must happen, in one place; the first
/// hosted service, so it runs before the web server listens. Building it opens the store (its
/// <see cref="StoreLifetime"/> is made by <see cref="StoreLifetime.Open"/>), holding the data
/// directory's lock; then it loads the accounts, clears an admin socket left by a server that was
/// killed, makes the new one owner-only as soon as it exists, and tells the administrator of a new
/// installation how to create the first admin.
/// </summary>
internal sealed class StartupSequence(
    StoreLifetime store,
    OperatorDirectory directory,
    IOptions<StoreOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<StartupSequence> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        ServerLog.StoreOpened(logger, store.DataDirectory, store.Describe, store.CommittedRevision);
        if (store.Vault.IsLocked)
        {
            ServerLog.StartedLocked(logger);
        }
        await directory.LoadAsync(cancellationToken);
        var socket = AdminSocketGate.PathFor(options.Value.DataDirectory);
        if (File.Exists(socket))
        {
            // Safe only because this process holds the data directory's lock: no live server owns it.
            File.Delete(socket);
            ServerLog.StaleAdminSocketRemoved(logger, socket);
        }
        lifetime.ApplicationStarted.Register(() =>
        {
            if (!OperatingSystem.IsWindows() && File.Exists(socket))
            {
                // The data directory is owner-only already, so nobody else could reach the socket
                // before this; the mode says the same on the socket itself.
                File.SetUnixFileMode(socket, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                ServerLog.AdminSocket(logger, socket);
            }
        });
        if (!directory.HasAdmin)
        {
            ServerLog.NoAdminYet(logger, AdminCommandLine.SelfInvocation(options.Value.DataDirectory,
                "operators add admin --name \"Administrator\" --role admin"));
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
