using Google.Protobuf.Reflection;
using Hotline.Domain;
using Hotline.Server.Access;
using Hotline.Server.Admin;
using Hotline.Server.Backup;
using Hotline.Server.Escalation;
using Hotline.Server.Flood;
using Hotline.Server.Grpc;
using Hotline.Server.Live;
using Hotline.Server.Stats;
using Hotline.Server.Store;
using Hotline.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Hotline.Server.Hosting;

/// <summary>Every registration the server needs, in one place.</summary>
public static class HotlineServiceCollectionExtensions
{
    public static IServiceCollection AddHotline(this IServiceCollection services)
    {
        // Each feature's settings, bound to its own section and checked when the host starts.
        services.AddCheckedOptions<StoreOptions>(StoreOptions.Section);
        services.AddCheckedOptions<RetentionOptions>(RetentionOptions.Section);
        services.AddCheckedOptions<AuthenticationOptions>(AuthenticationOptions.Section);
        services.AddCheckedOptions<IntakeOptions>(IntakeOptions.Section);
        services.AddCheckedOptions<WatchOptions>(WatchOptions.Section);
        services.AddCheckedOptions<LockdownOptions>(LockdownOptions.Section);
        services.AddCheckedOptions<EscalationOptions>(EscalationOptions.Section);
        services.AddCheckedOptions<StatsOptions>(StatsOptions.Section);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ChangeBroadcaster>();
        // The store is built with the monitor among its listeners, so the monitor reaches the store only when it starts.
        services.AddSingleton(sp => new EscalationMonitor(sp.GetRequiredService<IOptions<EscalationOptions>>(),
            sp.GetRequiredService<IRequestStore>, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<EscalationMonitor>>()));
        services.AddSingleton<IChangeListener>(sp => new ChangeFanOut(sp.GetRequiredService<ChangeBroadcaster>(), sp.GetRequiredService<EscalationMonitor>()));
        services.AddSingleton<StreamMemoryReturn>();
        // Opened by HotlineHost.OpenStoreAsync before the host starts (PostgreSQL opens asynchronously); a
        // LiteDB store not opened that way is opened when the start-up sequence, the first hosted service, is built.
        services.AddSingleton<StoreOpening>();
        services.AddSingleton(sp => sp.GetRequiredService<StoreOpening>().Opened());
        services.AddSingleton(sp => sp.GetRequiredService<StoreLifetime>().Operators);
        services.AddSingleton<IRequestStore>(sp => sp.GetRequiredService<StoreLifetime>().Store);
        services.AddSingleton<IAuditTrail>(sp => sp.GetRequiredService<StoreLifetime>().Audit);
        services.AddSingleton(sp => sp.GetRequiredService<StoreLifetime>().Figures);
        services.AddSingleton<Supervision>();
        services.AddSingleton(sp => sp.GetRequiredService<StoreLifetime>().Vault);
        services.AddSingleton<IKeyVault>(sp => sp.GetRequiredService<StoreKeyVault>());
        // Hosted services start in this order and stop in the reverse one, after the web server has
        // stopped: the sequence first; the store's lifetime, which closes it, last of all to stop.
        services.AddHostedService<StartupSequence>();
        services.AddHostedService(sp => sp.GetRequiredService<StoreLifetime>());
        services.AddHostedService<RetentionService>();
        services.AddCheckedOptions<BackupOptions>(BackupOptions.Section);
        services.AddSingleton(sp =>
        {
            var lifetime = sp.GetRequiredService<StoreLifetime>();
            var store = sp.GetRequiredService<IOptions<StoreOptions>>().Value;
            var maker = new BackupMaker(lifetime.DataDirectory, sp.GetRequiredService<IOptions<BackupOptions>>().Value,
                sp.GetRequiredService<IOptions<RetentionOptions>>().Value.RetentionDays, sp.GetRequiredService<TimeProvider>());
            return new BackupAdministration(maker, lifetime.CopyDatabase, lifetime.Audit, lifetime.Vault, () => MasterKeyFile.Read(store));
        });
        services.AddHostedService(sp => sp.GetRequiredService<EscalationMonitor>());
        services.AddHotlineAccess();
        services.AddSharedSecurity();

        services.AddSingleton<IntakeRateLimiter>();
        services.AddSingleton<RelatedLookupLimiter>();
        services.AddSingleton<RefusalLog>();
        // A singleton, so its count of open health watches is shared by every call.
        services.AddSingleton<HealthWatchLimit>();
        services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = RequestMessageCheck.MaxReceiveMessageBytes;
            grpc.EnableDetailedErrors = false;
            grpc.Interceptors.Add<DomainErrorInterceptor>();
            grpc.Interceptors.Add<AccessInterceptor>();
            grpc.Interceptors.Add<HealthWatchLimit>();
        }).AddServiceOptions<IntakeGrpcService>(intake => intake.Interceptors.Add<IntakeRateLimitInterceptor>())
            // HTTP/JSON from the contract's google.api.http annotations (intake): the same
            // service methods, behind the same interceptors, limits and message size; error
            // details are written as JSON, so their types (google.rpc.*) must be known.
            // int64 as strings, as protobuf's JSON mapping says, so JavaScript loses no digits.
            .AddJsonTranscoding(json =>
            {
                json.TypeRegistry = TypeRegistry.FromFiles(Google.Rpc.ErrorDetailsReflection.Descriptor);
                json.JsonSettings.WriteInt64sAsStrings = true;
            });
        services.AddGrpcReflection();
        services.AddGrpcHealthChecks()
            .AddCheck<StoreHealthCheck>("store");
        return services;
    }

    /// <summary>Accounts, tokens, sessions and administration.</summary>
    private static IServiceCollection AddHotlineAccess(this IServiceCollection services)
    {
        services.AddSingleton<SessionRegistry>();
        services.AddSingleton<AdminSocketConnections>();
        services.AddSingleton<OperatorDirectory>();
        services.AddSingleton<IOperatorDirectory>(sp => sp.GetRequiredService<OperatorDirectory>());
        services.AddSingleton<FailedAuthenticationLimiter>();
        services.AddSingleton<ICallerResolver, BearerCallerResolver>();
        services.AddSingleton<OperatorAdministration>();
        services.AddSingleton<LockdownSwitch>();
        services.AddSingleton<StoreAdministration>();
        services.AddSingleton<Administration>();
        return services;
    }

    public static WebApplication MapHotline(this WebApplication app)
    {
        app.UseAdminSocketGate();
        // After the gate, so a call to the wrong door is refused before its body is read.
        app.UseMiddleware<RequestMessageCheck>();
        app.MapGrpcService<AdminGrpcService>();
        app.MapGrpcService<IntakeGrpcService>();
        app.MapGrpcService<RequestGrpcService>();
        app.MapGrpcService<OperatorGrpcService>();
        app.MapGrpcService<AuditGrpcService>();
        app.MapGrpcService<StatsGrpcService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        return app;
    }
}

/// <summary>Tells every listener of each committed change, in order, on the store's writer thread.</summary>
internal sealed class ChangeFanOut(params IChangeListener[] listeners) : IChangeListener
{
    public void OnCommitted(IReadOnlyList<RequestChange> changes)
    {
        foreach (var listener in listeners)
        {
            listener.OnCommitted(changes);
        }
    }
}

/// <summary>
/// Healthy while the store takes writes and the keys are in memory; otherwise NOT_SERVING, so a
/// load balancer or monitor stops sending intake here (a locked-down server refuses intake with
/// UNAVAILABLE anyway) and someone notices a lockdown nobody meant to leave in place.
/// </summary>
internal sealed class StoreHealthCheck(StoreLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(
            !lifetime.AcceptsWrites ? HealthCheckResult.Unhealthy("the store takes no writes")
            : lifetime.Vault.IsLocked ? HealthCheckResult.Unhealthy("locked down: keys are not in memory until an admin unlocks")
            : HealthCheckResult.Healthy());
}
