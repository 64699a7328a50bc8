using Hotline.Domain;
using Hotline.Server.Backup;
using Microsoft.Extensions.Options;

namespace Hotline.Server.Store;

/// <summary>
/// Purges closed requests older than <see cref="RetentionOptions.RetentionDays"/>, once at start and
/// then every <see cref="RetentionOptions.RetentionCheckInterval"/>, through the store's writer like
/// any other change. While the installation is locked down it waits: purging is audited, and the
/// audit chain needs the master key. Each pass also destroys the backup keys of expired epochs
/// (<see cref="BackupMaker"/>), so backups expire on the same clock as the requests in them.
/// </summary>
internal sealed class RetentionService(
    IOptions<RetentionOptions> options,
    StoreLifetime lifetime,
    BackupAdministration backups,
    TimeProvider time,
    ILogger<RetentionService> logger) : BackgroundService
{
    public const string Actor = "retention";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (settings.RetentionDays <= 0)
        {
            return;
        }
        var keep = TimeSpan.FromDays(settings.RetentionDays);
        ServerLog.RetentionOn(logger, settings.RetentionDays);
        while (!stoppingToken.IsCancellationRequested)
        {
            await RunOnceAsync(keep, stoppingToken);
            try
            {
                await Task.Delay(settings.RetentionCheckInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task RunOnceAsync(TimeSpan keep, CancellationToken stoppingToken)
    {
        if (lifetime.Vault.IsLocked)
        {
            ServerLog.RetentionSkipped(logger, ErrorReasons.LockedDown);
            return;
        }
        try
        {
            var purged = await lifetime.Store.PurgeClosedBeforeAsync(time.GetUtcNow() - keep, Actor, stoppingToken);
            if (purged > 0)
            {
                ServerLog.RetentionPurged(logger, purged);
            }
            foreach (var epoch in await backups.DestroyExpiredKeysAsync(stoppingToken))
            {
                ServerLog.BackupKeyDestroyed(logger, epoch);
            }
        }
        catch (DomainException ex)
        {
            ServerLog.RetentionSkipped(logger, ex.Reason);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            ServerLog.UnexpectedFailure(logger, "Retention run", "it runs again at the next interval.", ex);
        }
    }
}
