using Hotline.Server.Access;
using Hotline.Server.Admin;
using Hotline.Server.Store;
using Microsoft.Extensions.Options;

namespace Hotline.Server.Hosting;

/// <summary>
/// Runs after the store is open (and its lock file held): loads the accounts before the first
/// call can arrive, clears an admin socket left by a server that was killed, makes the new one
/// owner-only as soon as it exists, and tells the administrator of a new installation how to
/// create the first admin.
/// </summary>
internal sealed class AccessStartup(
    StoreLifetime store,
    OperatorDirectory directory,
    IOptions<StoreOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<AccessStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await directory.LoadAsync(store.Operators, cancellationToken);
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
