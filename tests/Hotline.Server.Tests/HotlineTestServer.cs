using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using Hotline.Contract.V1;
using Hotline.Server.Flood;
using Hotline.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hotline.Server.Tests;

/// <summary>
/// A real Kestrel on 127.0.0.1 with a port of its own and a fresh data directory, reached over a
/// real HTTP/2 GrpcChannel. Each test owns one.
/// </summary>
public sealed class HotlineTestServer : IAsyncDisposable
{
    public const string Supervisor = "lena";
    public const string Intake = "web-form";
    public const int OperatorCount = 50;

    private readonly WebApplication _app;
    private readonly GrpcChannel _channel;

    private HotlineTestServer(WebApplication app, string dataDirectory)
    {
        _app = app;
        DataDirectory = dataDirectory;
        Address = new Uri(app.Urls.Single());
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
    public GrpcChannel NewChannel() => GrpcChannel.ForAddress(Address, new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            KeepAlivePingDelay = TimeSpan.FromSeconds(60),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
        },
    });

    /// <summary>Operator ids op01..op50, all plain operators.</summary>
    public static string OperatorId(int i) => $"op{i:00}";

    /// <summary>The master key of every test installation (base64 of 32 bytes); tests must never depend on its value.</summary>
    public const string MasterKey = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";

    public static async Task<HotlineTestServer> StartAsync(Action<HotlineOptions>? configure = null, string? dataDirectory = null)
    {
        dataDirectory ??= Path.Combine(Path.GetTempPath(), "hotline-test-" + Guid.NewGuid().ToString("N"));
        var app = HotlineHost.Build(["--urls", "http://127.0.0.1:0", "--Hotline:DataDirectory", dataDirectory,
            "--Hotline:MasterKeyFile", WriteMasterKeyFile(dataDirectory)], builder =>
        {
            builder.Logging.ClearProviders();
            builder.Services.PostConfigure<HotlineOptions>(options =>
            {
                options.Operators.Clear();
                options.Operators.Add(new ConfiguredOperator { Id = Supervisor, DisplayName = "Lena", Role = Domain.Role.Supervisor });
                options.Operators.Add(new ConfiguredOperator { Id = Intake, DisplayName = "Web form", Role = Domain.Role.Intake });
                options.Operators.Add(new ConfiguredOperator { Id = "gone", DisplayName = "Former colleague", Role = Domain.Role.Operator, Disabled = true });
                for (var i = 1; i <= OperatorCount; i++)
                {
                    options.Operators.Add(new ConfiguredOperator { Id = OperatorId(i), DisplayName = $"Operator {i}", Role = Domain.Role.Operator });
                }
                options.DevelopmentIdentity = OperatorId(1);
                options.Watch.ProgressInterval = TimeSpan.FromMilliseconds(300);
                // Tests submit hundreds of requests at once; the flood-control tests set their own limits.
                options.Intake = new IntakeOptions { PerCallerPerSecond = 1e6, Burst = 1_000_000, GlobalPerSecond = 1e6, GlobalBurst = 1_000_000 };
                configure?.Invoke(options);
            });
        });
        await app.StartAsync().DefaultTimeout();
        return new HotlineTestServer(app, dataDirectory);
    }

    /// <summary>Call options that make the call as <paramref name="operatorId"/>.</summary>
    public static CallOptions As(string operatorId, CancellationToken cancellationToken = default) =>
        new(new Metadata { { "x-hotline-operator", operatorId } }, deadline: DateTime.UtcNow.AddSeconds(20), cancellationToken: cancellationToken);

    /// <summary>Like <see cref="As"/> but without a deadline, for long-lived watch streams.</summary>
    public static CallOptions Streaming(string operatorId, CancellationToken cancellationToken) =>
        new(new Metadata { { "x-hotline-operator", operatorId } }, cancellationToken: cancellationToken);

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
