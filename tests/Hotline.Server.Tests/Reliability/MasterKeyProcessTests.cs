using System.Runtime.Versioning;
using Grpc.Core;
using Hotline.Contract.V1;
using Hotline.Storage;
using Hotline.Tests;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hotline.Server.Tests.Reliability;

/// <summary>
/// The real server refuses to start without its master key, with the wrong one, or with one kept
/// where a copy of the data would carry it; each refusal says why, exits 5 and prints no key.
/// A locked installation starts without any key, so an admin can unlock it.
/// </summary>
[Collection(ProcessTests.Name)]
[SupportedOSPlatform("linux")]
public sealed class MasterKeyProcessTests : IDisposable
{
    private const int Refused = 5;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "hotline-key-" + Guid.NewGuid().ToString("N"));

    private string DataDirectory => Path.Combine(_root, "data");

    [Fact]
    public async Task NoKeyAtAll_IsRefusedWithHowToMakeOne()
    {
        var output = await RefusedAsync(new() { ["HOTLINE_MASTER_KEY"] = null });

        Assert.Contains("needs its master key", output, StringComparison.Ordinal);
        Assert.Contains("keygen", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongKey_IsRefused_AndTheRightOneStillWorks()
    {
        await using (var first = await ServerProcess.StartAsync(DataDirectory))
        {
            await first.Intakes.SubmitRequestAsync(new SubmitRequestRequest { RequestId = "k1", Channel = Channel.Sms, Message = "sealed" },
                ServerProcess.As(ServerProcess.Intake)).ResponseAsync.DefaultTimeout();
        }
        var wrong = Convert.ToBase64String(new byte[32]);

        var output = await RefusedAsync(new() { ["HOTLINE_MASTER_KEY"] = wrong });

        Assert.Contains("does not match", output, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, output, StringComparison.Ordinal);
        await using var again = await ServerProcess.StartAsync(DataDirectory);
    }

    [Fact]
    public async Task KeyFileInsideTheDataDirectory_IsRefused()
    {
        Directory.CreateDirectory(DataDirectory);
        var inside = WriteKeyFile(Path.Combine(DataDirectory, "master.key"));

        var output = await RefusedAsync(new() { ["HOTLINE_MASTER_KEY"] = null, ["Hotline__MasterKeyFile"] = inside });

        Assert.Contains("inside the data directory", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyFileReachedThroughASymlinkIntoTheDataDirectory_IsRefused()
    {
        Directory.CreateDirectory(DataDirectory);
        var inside = WriteKeyFile(Path.Combine(DataDirectory, "master.key"));
        var link = Path.Combine(_root, "innocent.key");
        File.CreateSymbolicLink(link, inside);

        var output = await RefusedAsync(new() { ["HOTLINE_MASTER_KEY"] = null, ["Hotline__MasterKeyFile"] = link });

        Assert.Contains("inside the data directory", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyFileOthersCanRead_IsRefusedWithTheFix()
    {
        var file = WriteKeyFile(Path.Combine(_root, "master.key"));
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var output = await RefusedAsync(new() { ["HOTLINE_MASTER_KEY"] = null, ["Hotline__MasterKeyFile"] = file });

        Assert.Contains("chmod 600", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyBothInAFileAndTheEnvironment_IsRefused()
    {
        var file = WriteKeyFile(Path.Combine(_root, "master.key"));

        var output = await RefusedAsync(new() { ["Hotline__MasterKeyFile"] = file });

        Assert.Contains("set one", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyFileNotHoldingThirtyTwoBytes_IsRefused()
    {
        var file = WriteKeyFile(Path.Combine(_root, "master.key"), Convert.ToBase64String(new byte[16]));

        var output = await RefusedAsync(new() { ["HOTLINE_MASTER_KEY"] = null, ["Hotline__MasterKeyFile"] = file });

        Assert.Contains("32 bytes", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keygen_WritesAnOwnerOnlyKeyThatStartsTheServer_AndPrintsNoSecret()
    {
        var file = Path.Combine(_root, "config", "master.key");

        var keygen = await RunAsync("keygen", "--out", file);

        Assert.Equal(0, keygen.ExitCode);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        var key = (await File.ReadAllTextAsync(file)).Trim();
        Assert.Equal(32, Convert.FromBase64String(key).Length);
        Assert.DoesNotContain(key, keygen.Output, StringComparison.Ordinal);
        Assert.NotEqual(0, (await RunAsync("keygen", "--out", file)).ExitCode);
        Assert.Equal(key, (await File.ReadAllTextAsync(file)).Trim());
        await using var server = await ServerProcess.StartAsync(DataDirectory, new Dictionary<string, string?> { ["HOTLINE_MASTER_KEY"] = null, ["Hotline__MasterKeyFile"] = file });
    }

    [Fact]
    public async Task LockedInstallation_StartsWithoutTheKey_AndServesNoContent()
    {
        await using (var first = await ServerProcess.StartAsync(DataDirectory))
        {
            await first.Intakes.SubmitRequestAsync(new SubmitRequestRequest { RequestId = "k1", Channel = Channel.Sms, Message = "sealed" },
                ServerProcess.As(ServerProcess.Intake)).ResponseAsync.DefaultTimeout();
        }
        // What the admin command line does on a stopped server.
        using (var store = LiteDbRequestStore.Open(DataDirectory, new RequestStoreOptions(), TimeProvider.System, NoChangeListener.Instance,
            NullLogger.Instance, Convert.FromBase64String(HotlineTestServer.MasterKey)))
        {
            await store.Vault.LockAsync("admin", CancellationToken.None).DefaultTimeout();
        }

        await using var locked = await ServerProcess.StartAsync(DataDirectory, new Dictionary<string, string?> { ["HOTLINE_MASTER_KEY"] = null });

        Assert.Contains("locked down", locked.Output, StringComparison.Ordinal);
        var refused = await Assert.ThrowsAsync<RpcException>(() => locked.Requests.ListRequestsAsync(new ListRequestsRequest(),
            ServerProcess.As(ServerProcess.Operator)).ResponseAsync.DefaultTimeout());
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private async Task<string> RefusedAsync(Dictionary<string, string?> environment)
    {
        await using var server = ServerProcess.Launch(DataDirectory, environment);
        Assert.Equal(Refused, await server.WaitForExitAsync());
        Assert.DoesNotContain("Hotline listening on", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(HotlineTestServer.MasterKey, server.Output, StringComparison.Ordinal);
        return server.Output;
    }

    private static string WriteKeyFile(string path, string? content = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content ?? HotlineTestServer.MasterKey);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    /// <summary>`keygen` needs no key: run in the test's own environment, not a server's.</summary>
    private static Task<CommandLineResult> RunAsync(params string[] args) => ServerCommandLine.RunAsync(args, timeout: TimeSpan.FromSeconds(30));
}
