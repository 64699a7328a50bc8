using Hotline.Server.Store;
using Microsoft.Extensions.Options;

namespace Hotline.Server.Backup;

public static class BackupServiceCollectionExtensions
{
    /// <summary>Backups of the running server's store, its backup keys, and the purge log.</summary>
    public static IServiceCollection AddHotlineBackups(this IServiceCollection services)
    {
        services.AddCheckedOptions<BackupOptions>(BackupOptions.Section);
        services.AddSingleton(sp =>
        {
            var lifetime = sp.GetRequiredService<StoreLifetime>();
            var store = sp.GetRequiredService<IOptions<StoreOptions>>().Value;
            var maker = new BackupMaker(lifetime.DataDirectory, sp.GetRequiredService<IOptions<BackupOptions>>().Value,
                sp.GetRequiredService<IOptions<RetentionOptions>>().Value.RetentionDays, sp.GetRequiredService<TimeProvider>());
            return new BackupAdministration(maker, lifetime.CopyDatabaseAsync, lifetime.Audit, lifetime.Vault, () => MasterKeyFile.Read(store));
        });
        return services;
    }
}
