using System.Net.Sockets;
using System.Text;
using Hotline.Server.Access;
using Hotline.Server.Admin;
using Hotline.Server.Store;
using Hotline.Server.Transport;
using Hotline.Storage;
using Hotline.Storage.Postgres;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Hotline.Server.Hosting;

/// <summary>Builds and runs the server; tests build it the same way, on a port of their own.</summary>
public static class HotlineHost
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddCommandLine(args, HotlineConfiguration.SwitchMappings);
        builder.Logging.ClearProviders();
        // The host logs a failed start with the whole stack trace, which buries a refusal such as
        // "another server uses this data directory" under thirty lines. RunAsync reports every
        // refusal it knows in one line; anything else escapes it and the runtime prints its stack
        // once. The host's Critical events (a failed background service stopping it) still show.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        if (string.Equals(builder.Configuration["Hotline:LogFormat"], "json", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        else
        {
            // One line per event, control characters escaped (see EscapingConsoleFormatter).
            builder.Logging.AddConsole(o => o.FormatterName = EscapingConsoleFormatter.FormatterName)
                .AddConsoleFormatter<EscapingConsoleFormatter, ConsoleFormatterOptions>();
        }
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ConfigureEndpointDefaults(endpoint =>
            {
                // gRPC needs HTTP/2; without TLS, Kestrel can offer it only as the sole protocol. Over
                // TLS, HTTP/1.1 is offered too, for HTTP/JSON gateways (see ListenPlan.ProtocolsFor).
                endpoint.Protocols = kestrel.ApplicationServices.GetService<ListenPlan>()?.ProtocolsFor(endpoint) ?? HttpProtocols.Http2;
                if (endpoint.EndPoint is UnixDomainSocketEndPoint)
                {
                    endpoint.Use(kestrel.ApplicationServices.GetRequiredService<AdminSocketConnections>().Track);
                }
            });
            kestrel.Limits.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(30);
            kestrel.Limits.Http2.KeepAlivePingTimeout = TimeSpan.FromSeconds(20);
        });
        builder.Services.AddHotline();
        configure?.Invoke(builder);
        ListenOnAdminSocket(builder);
        ListenPlan.Configure(builder);

        var app = builder.Build();
        try
        {
            CheckOptions(app.Services);
        }
        catch
        {
            ((IDisposable)app).Dispose();
            throw;
        }
        app.MapHotline();
        return app;
    }

    /// <summary>
    /// Opens the store the settings name, before <paramref name="app"/> starts (call it between
    /// <see cref="Build"/> and StartAsync): PostgreSQL opens asynchronously, which a service
    /// factory cannot do. A host started without it opens a LiteDB store as its first service is
    /// built, and refuses to start on PostgreSQL.
    /// </summary>
    /// <exception cref="DataDirectoryInUseException">Another process holds the data directory.</exception>
    /// <exception cref="MasterKeyException">The master key is missing, misconfigured or wrong.</exception>
    /// <exception cref="DatabaseUnavailableException">The PostgreSQL database cannot be reached or used.</exception>
    public static async Task OpenStoreAsync(WebApplication app, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        await app.Services.GetRequiredService<StoreOpening>().OpenAsync(cancellationToken);
    }

    /// <summary>
    /// Runs the checks the host would run at start (ValidateOnStart) now, before the store is opened
    /// or a socket bound, and reports them as the configuration error they are.
    /// </summary>
    /// <exception cref="InvalidOperationException">A setting is out of its range; the message names it.</exception>
    private static void CheckOptions(IServiceProvider services)
    {
        try
        {
            services.GetService<IStartupValidator>()?.Validate();
        }
        catch (OptionsValidationException ex)
        {
            throw new InvalidOperationException(ex.Message, ex);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OptionsValidationException))
        {
            throw new InvalidOperationException(string.Join(" ", ex.InnerExceptions.Select(e => e.Message)), ex);
        }
    }

    /// <summary>
    /// A last line of defence, not a fix: an exception nobody caught on a thread-pool or timer
    /// thread still ends the process, but says so in the log first, and a faulted task nobody
    /// awaited is logged instead of passing silently. Either is a bug to find and fix.
    /// </summary>
    private static void ReportStrayExceptions(ILogger logger)
    {
        AppDomain.CurrentDomain.UnhandledException += (_, e) => ServerLog.UnhandledException(logger, e.ExceptionObject as Exception);
        TaskScheduler.UnobservedTaskException += (_, e) =>
        {
            ServerLog.UnobservedTaskException(logger, e.Exception);
            e.SetObserved();
        };
    }

    /// <summary>The addresses callers reach the server on: everything it listens on but the admin socket.</summary>
    public static IReadOnlyList<string> NetworkAddresses(WebApplication app) =>
        [.. app.Urls.Where(u => !u.StartsWith("http://unix:", StringComparison.Ordinal))];

    /// <summary>
    /// Adds the admin socket to the configured URLs rather than calling Kestrel's ListenUnixSocket,
    /// which would make Kestrel ignore every configured URL.
    /// </summary>
    private static void ListenOnAdminSocket(WebApplicationBuilder builder)
    {
        var socket = AdminSocketGate.PathFor(StoreOptions.From(builder.Configuration).DataDirectory);
        if (Encoding.UTF8.GetByteCount(socket) > AdminSocketGate.MaxSocketPathBytes)
        {
            throw new InvalidOperationException(
                $"The data directory path is too long for its admin socket ({socket}); Unix sockets allow {AdminSocketGate.MaxSocketPathBytes} bytes. Use a shorter --data-dir.");
        }
        var urls = builder.Configuration[WebHostDefaults.ServerUrlsKey];
        builder.WebHost.UseUrls(string.IsNullOrWhiteSpace(urls) ? $"http://unix:{socket}" : $"{urls};http://unix:{socket}");
    }

    /// <summary>`keygen --out FILE`: writes a new master key, owner-only, and prints where; never the key.</summary>
    public static async Task<int> KeygenAsync(string[] args)
    {
        if (args is not ["--out", var path] || string.IsNullOrWhiteSpace(path))
        {
            await Console.Error.WriteLineAsync("usage: Hotline.Server keygen --out FILE   (FILE must not exist; keep it outside the data directory)");
            return ExitCodes.ConfigurationError;
        }
        try
        {
            MasterKeyFile.Generate(path);
        }
        catch (IOException ex)
        {
            await Console.Error.WriteLineAsync($"hotline-server: cannot create {path}: {ex.Message}");
            return ExitCodes.ConfigurationError;
        }
        await Console.Out.WriteLineAsync(
            $"Wrote a new master key to {Path.GetFullPath(path)} (owner-only). Keep a copy offline: without it the data cannot be read. " +
            "Start the server with --Hotline:MasterKeyFile pointing at it.");
        return 0;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        // The key is taken from the environment and erased from /proc/PID/environ first: once the
        // process is not dumpable (next), it can no longer write its own memory through /proc.
        var (environmentKey, environmentProblem) = InitialEnvironment.Take(MasterKeyFile.EnvironmentVariable);
        MasterKeyFile.TakenFromEnvironment = environmentKey;
        // Before the master key is decoded or anything is decrypted.
        var hardening = ProcessHardening.Apply();
        WebApplication app;
        try
        {
            app = Build(args);
        }
        catch (TransportRefusedException ex)
        {
            await Console.Error.WriteLineAsync("hotline-server: " + ex.Message);
            return ex.ExitCode;
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException)
        {
            await Console.Error.WriteLineAsync("hotline-server: configuration error: " + ex.Message);
            return ExitCodes.ConfigurationError;
        }
        await using (app)
        {
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Hotline.Server");
            ReportStrayExceptions(logger);
            ServerLog.Hardened(logger, hardening.NotDumpable, hardening.NoCoreFiles);
            if (hardening.Problem is { } problem)
            {
                ServerLog.HardeningIncomplete(logger, problem);
            }
            if (environmentProblem is { } environment)
            {
                ServerLog.HardeningIncomplete(logger, environment);
            }
            try
            {
                await OpenStoreAsync(app, CancellationToken.None);
                await app.StartAsync();
            }
            catch (DataDirectoryInUseException ex)
            {
                ServerLog.StartupRefused(logger, ex.Message);
                await Console.Error.WriteLineAsync("hotline-server: " + ex.Message);
                return ExitCodes.DataDirectoryInUse;
            }
            catch (MasterKeyException ex)
            {
                ServerLog.StartupRefused(logger, ex.Message);
                await Console.Error.WriteLineAsync("hotline-server: " + ex.Message);
                return ExitCodes.MasterKeyRefused;
            }
            catch (DatabaseUnavailableException ex)
            {
                ServerLog.StartupRefused(logger, ex.Message);
                await Console.Error.WriteLineAsync("hotline-server: " + ex.Message);
                return ExitCodes.DatabaseUnavailable;
            }
            catch (IOException ex) when (ex.InnerException is AddressInUseException)
            {
                // Kestrel's message names the address: "Failed to bind to address http://…: address already in use."
                var message = ex.Message.TrimEnd('.') + ". Another program, perhaps another Hotline server, listens there; stop it or give this one another --listen address.";
                ServerLog.StartupRefused(logger, message);
                await Console.Error.WriteLineAsync("hotline-server: " + message);
                return ExitCodes.AddressInUse;
            }
            foreach (var address in NetworkAddresses(app))
            {
                ServerLog.Listening(logger, address);
            }
            // Resolved while the store is open: it needs the vault, which is gone once the host has stopped.
            var lockdown = app.Services.GetRequiredService<LockdownSwitch>();
            await app.WaitForShutdownAsync();
            if (lockdown.ProcessExitRequested)
            {
                return ExitCodes.LockedDown;
            }
        }
        return 0;
    }
}
