using System.Globalization;
using Grpc.Core;
using Grpc.Net.Client;
using Hotline.Contract.V1;

namespace Hotline.Console;

/// <summary>
/// The operator console's entry point. This first version follows the live queue line by line
/// (what changed, never what requesters wrote); the full-screen console builds on the same feed.
/// </summary>
public static class ConsoleApp
{
    public const string DefaultServer = "http://127.0.0.1:5171";

    public static async Task<int> RunAsync(string[] args)
    {
        var options = ConsoleOptions.Parse(args);
        if (options is null)
        {
            await System.Console.Out.WriteLineAsync(ConsoleOptions.Help);
            return args.Contains("--help") || args.Contains("-h") ? 0 : 2;
        }
        using var channel = GrpcChannel.ForAddress(options.Server, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                KeepAlivePingDelay = TimeSpan.FromSeconds(60),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
            },
        });
        using var quit = new CancellationTokenSource();
        System.Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            quit.Cancel();
        };
        var headers = new Metadata { { "x-hotline-operator", options.Operator } };
        var feed = new QueueFeed(new RequestService.RequestServiceClient(channel), headers, System.Console.Out);
        try
        {
            var me = await new OperatorService.OperatorServiceClient(channel)
                .WhoAmIAsync(new WhoAmIRequest(), headers, DateTime.UtcNow.AddSeconds(10), quit.Token);
            await System.Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"hotline-console: {me.Operator.DisplayName} ({me.Operator.Name}) on {options.Server}; Ctrl+C quits"));
        }
        catch (RpcException ex)
        {
            await System.Console.Error.WriteLineAsync($"hotline-console: cannot sign in at {options.Server}: {ex.Status.StatusCode} {ex.Status.Detail}");
            return 1;
        }
        await feed.RunAsync(quit.Token);
        return 0;
    }
}

/// <summary>Command-line options.</summary>
public sealed record ConsoleOptions(Uri Server, string Operator)
{
    public const string Help = """
        hotline-console: follow the Hotline queue live

        Options:
          --server URL      server address (default http://127.0.0.1:5171, or HOTLINE_SERVER)
          --operator ID     who you are, while the server runs with its development identity
                            (default: the server's development identity, or HOTLINE_OPERATOR)
          -h, --help        show this help
        """;

    public static ConsoleOptions? Parse(string[] args)
    {
        var server = Environment.GetEnvironmentVariable("HOTLINE_SERVER") ?? ConsoleApp.DefaultServer;
        var who = Environment.GetEnvironmentVariable("HOTLINE_OPERATOR") ?? "dev";
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--server" when i + 1 < args.Length:
                    server = args[++i];
                    break;
                case "--operator" when i + 1 < args.Length:
                    who = args[++i];
                    break;
                default:
                    return null;
            }
        }
        return Uri.TryCreate(server, UriKind.Absolute, out var uri) ? new ConsoleOptions(uri, who) : null;
    }
}
