using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Grpc.Core;
using Grpc.Net.Client;
using Hotline.Contract.V1;

namespace Hotline.Console.Tests.EndToEnd;

/// <summary>
/// The real server binary in a child process on 127.0.0.1 with a port of its own and a temporary
/// data directory; killed (this process only) and its data removed on dispose.
/// </summary>
internal sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dataDirectory;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private GrpcChannel? _channel;

    private ServerProcess(Process process, string dataDirectory)
    {
        _process = process;
        _dataDirectory = dataDirectory;
    }

    public Uri Address => _listening.Task.Result;

    public IntakeService.IntakeServiceClient Intake => new(Channel);

    public RequestService.RequestServiceClient Requests => new(Channel);

    private GrpcChannel Channel => _channel ??= GrpcChannel.ForAddress(Address);

    public static async Task<ServerProcess> StartAsync()
    {
        var data = Path.Combine(Path.GetTempPath(), "hotline-console-e2e-" + Guid.NewGuid().ToString("N"));
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(BuiltBinaries.Server)!,
        };
        foreach (var arg in new[] { BuiltBinaries.Server, "--listen", "http://127.0.0.1:0", "--data-dir", data })
        {
            info.ArgumentList.Add(arg);
        }
        // A fresh data directory each run, so a fresh master key does.
        info.Environment["HOTLINE_MASTER_KEY"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var server = new ServerProcess(process, data);
        process.OutputDataReceived += (_, e) => server.Collect(e.Data);
        process.ErrorDataReceived += (_, e) => server.Collect(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var started = await Task.WhenAny(server._listening.Task, process.WaitForExitAsync()).WaitAsync(TimeSpan.FromSeconds(30));
        if (started != server._listening.Task)
        {
            throw new InvalidOperationException($"The server exited with {process.ExitCode} before listening:\n{server.Output}");
        }
        return server;
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static CallOptions As(string operatorId) =>
        new(new Metadata { { "x-hotline-operator", operatorId } }, deadline: DateTime.UtcNow.AddSeconds(15));

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless; the test result is what matters.
        }
    }

    private void Collect(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
        if (ListeningLine().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    [GeneratedRegex(@"Hotline listening on (http\S+)")]
    private static partial Regex ListeningLine();
}
