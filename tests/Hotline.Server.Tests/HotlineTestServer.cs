using System.Collections.Concurrent;
using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using Hotline.Contract.Client;
using Hotline.Contract.V1;
using Hotline.Server.Access;
using Hotline.Server.Admin;
using Hotline.Server.Escalation;
using Hotline.Server.Flood;
using Hotline.Server.Hosting;
using Hotline.Server.Live;
using Hotline.Server.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hotline.Server.Tests;

/// <summary>
/// A real Kestrel on 127.0.0.1 with a port of its own and a fresh data directory, reached over a
/// real HTTP/2 GrpcChannel. Each test owns one. Its accounts are created through the store at
/// start, each with a token made once per test run, so <see cref="As"/> can stay static.
/// </summary>
public sealed class HotlineTestServer : IAsyncDisposable
{
    public const string Supervisor = "lena";
    public const string Intake = "web-form";
    public const string Administrator = "root";
    public const string Disabled = "gone";
    public const int OperatorCount = 50;

    private readonly WebApplication _app;
    private readonly GrpcChannel _channel;

    private HotlineTestServer(WebApplication app, string dataDirectory)
    {
        _app = app;
        DataDirectory = dataDirectory;
        Address = new Uri(HotlineHost.NetworkAddresses(app).Single());
        _channel = NewChannel();
        Intakes = new IntakeService.IntakeServiceClient(_channel);
        Requests = new RequestService.RequestServiceClient(_channel);
        Operators = new OperatorService.OperatorServiceClient(_channel);
    }

    public Uri Address { get; }
    public string DataDirectory { get; }
    public IntakeService.IntakeServiceClient Intakes { get; }
    public RequestService.RequestServiceClient Requests { get; }
    public OperatorService.OperatorServiceClient Operators { get; }
    public GrpcChannel Channel => _channel;
    public IServiceProvider Services => _app.Services;

    /// <summary>A channel with its own connection, as a separate workstation would have.</summary>
    public GrpcChannel NewChannel() => HotlineChannel.Create(Address);

    /// <summary>Operator ids op01..op50, all plain operators.</summary>
    public static string OperatorId(int i) => $"op{i:00}";

    /// <summary>The master key of every test installation (base64 of 32 bytes); tests must never depend on its value.</summary>
    public const string MasterKey = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";

    /// <param name="time">The clock of the server and its store, for tests that move time (a FakeTimeProvider); the system clock by default.</param>
    /// <param name="postgres">A PostgreSQL connection string: the server then keeps its data there (Hotline:Store postgres), its data directory holding only its own files.</param>
    public static async Task<HotlineTestServer> StartAsync(Action<TestServerSettings>? configure = null, string? dataDirectory = null,
        TimeProvider? time = null, string? postgres = null)
    {
        dataDirectory ??= Path.Combine(Path.GetTempPath(), "hotline-test-" + Guid.NewGuid().ToString("N"));
        string[] store = postgres is null ? [] : ["--Hotline:Store", "postgres", "--Hotline:Postgres:ConnectionString", postgres];
        var app = HotlineHost.Build(["--urls", "http://127.0.0.1:0", "--Hotline:DataDirectory", dataDirectory,
            "--Hotline:MasterKeyFile", WriteMasterKeyFile(dataDirectory), .. store], builder =>
        {
            builder.Logging.ClearProviders();
            if (time is not null)
            {
                builder.Services.AddSingleton(time);
            }
            var settings = new TestServerSettings();
            settings.Watch.ProgressInterval = TimeSpan.FromMilliseconds(300);
            // Tests make many deliberate bad calls from 127.0.0.1; the rate limit has tests of its own.
            settings.Authentication.MaxFailures = 100_000;
            // Tests submit hundreds of requests at once; the flood-control tests set their own limits.
            settings.Intake = new IntakeOptions { PerCallerPerSecond = 1e6, Burst = 1_000_000, GlobalPerSecond = 1e6, GlobalBurst = 1_000_000 };
            // In this process there is no supervisor to restart it: tests that look at a locked server
            // keep it running; those of the exit turn it back on, and Reliability/ tests the real binary's.
            settings.Lockdown.ExitProcess = false;
            configure?.Invoke(settings);
            settings.ApplyTo(builder.Services);
        });
        try
        {
            // As the server's own start does: the store first (PostgreSQL opens asynchronously), then the host.
            await HotlineHost.OpenStoreAsync(app, CancellationToken.None).DefaultTimeout();
            await app.StartAsync().DefaultTimeout();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        await SeedAsync(app.Services.GetRequiredService<OperatorDirectory>());
        return new HotlineTestServer(app, dataDirectory);
    }

    /// <summary>The token of <paramref name="operatorId"/>: the same for every server of this test run, unknown to a server that never seeded it.</summary>
    public static string TokenOf(string operatorId) => Tokens.GetOrAdd(operatorId, _ => Domain.AccessTokens.New());

    private static readonly ConcurrentDictionary<string, string> Tokens = new(StringComparer.Ordinal);

    private static async Task SeedAsync(OperatorDirectory directory)
    {
        var accounts = new List<(string Id, string Name, Domain.Role Role)>
        {
            (Supervisor, "Lena", Domain.Role.Supervisor),
            (Intake, "Web form", Domain.Role.Intake),
            (Administrator, "Root", Domain.Role.Admin),
            (Disabled, "Former colleague", Domain.Role.Operator),
        };
        accounts.AddRange(Enumerable.Range(1, OperatorCount).Select(i => (OperatorId(i), $"Operator {i}", Domain.Role.Operator)));
        // A test that restarts a server on its data directory finds the accounts already there.
        await Task.WhenAll(accounts.Where(a => directory.Find(a.Id) is null).Select(a =>
            directory.ExecuteAsync(new Domain.AddOperatorCommand(a.Id, a.Name, a.Role, Domain.AccessTokens.Hash(TokenOf(a.Id))), CancellationToken.None))).DefaultTimeout();
        await directory.ExecuteAsync(new Domain.SetDisabledCommand(Disabled, Disabled: true), CancellationToken.None).DefaultTimeout();
    }

    /// <summary>Call options that make the call as <paramref name="operatorId"/>.</summary>
    public static CallOptions As(string operatorId, CancellationToken cancellationToken = default) =>
        new(Bearer(operatorId), deadline: DateTime.UtcNow.AddSeconds(20), cancellationToken: cancellationToken);

    /// <summary>Like <see cref="As"/> but without a deadline, for long-lived watch streams.</summary>
    public static CallOptions Streaming(string operatorId, CancellationToken cancellationToken) =>
        new(Bearer(operatorId), cancellationToken: cancellationToken);

    public static Metadata Bearer(string operatorId) => new() { { "authorization", "Bearer " + TokenOf(operatorId) } };

    public async Task<SubmitRequestResponse> SubmitAsync(string message = "Помогите, нас ищут", Urgency urgency = Urgency.Routine,
        string? requestId = null)
    {
        return await Intakes.SubmitRequestAsync(new SubmitRequestRequest
        {
            RequestId = requestId ?? Guid.NewGuid().ToString(),
            Channel = Contract.V1.Channel.Telegram,
            ContactHandle = "@someone",
            Language = "ru",
            Message = message,
            Urgency = urgency,
        }, As(Intake)).ResponseAsync.DefaultTimeout();
    }

    public Task StopAsync() => _app.StopAsync().DefaultTimeout();

    /// <summary>Beside the data directory, never inside it, owner-only: as the server demands.</summary>
    public static string WriteMasterKeyFile(string dataDirectory)
    {
        var path = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataDirectory)) + ".master.key";
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, MasterKey);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
            File.Delete(Path.TrimEndingDirectorySeparator(Path.GetFullPath(DataDirectory)) + ".master.key");
        }
        catch (IOException)
        {
        }
    }

    internal static bool IsLoopback(Uri address) => IPAddress.TryParse(address.Host, out var ip) && IPAddress.IsLoopback(ip);
}

/// <summary>
/// The settings a test may change on its server, one object per feature as the server binds them;
/// each replaces what configuration gave, and the server checks them at start as it checks its own.
/// </summary>
public sealed class TestServerSettings
{
    public WatchOptions Watch { get; set; } = new();
    public AuthenticationOptions Authentication { get; set; } = new();
    public IntakeOptions Intake { get; set; } = new();
    public LockdownOptions Lockdown { get; set; } = new();
    public EscalationOptions Escalation { get; set; } = new();
    public Stats.StatsOptions Stats { get; set; } = new();

    /// <summary>The store's change-log length; the server's default when null.</summary>
    public int? ChangeLogRetention { get; set; }

    internal void ApplyTo(IServiceCollection services)
    {
        services.PostConfigure<WatchOptions>(o => CopyInto(Watch, o));
        services.PostConfigure<AuthenticationOptions>(o => CopyInto(Authentication, o));
        services.PostConfigure<IntakeOptions>(o => CopyInto(Intake, o));
        services.PostConfigure<LockdownOptions>(o => CopyInto(Lockdown, o));
        services.PostConfigure<EscalationOptions>(o => CopyInto(Escalation, o));
        services.PostConfigure<Stats.StatsOptions>(o => CopyInto(Stats, o));
        services.PostConfigure<StoreOptions>(o => o.ChangeLogRetention = ChangeLogRetention ?? o.ChangeLogRetention);
    }

    private static void CopyInto<T>(T source, T target)
    {
        foreach (var property in typeof(T).GetProperties().Where(p => p.CanRead && p.CanWrite))
        {
            property.SetValue(target, property.GetValue(source));
        }
    }
}
