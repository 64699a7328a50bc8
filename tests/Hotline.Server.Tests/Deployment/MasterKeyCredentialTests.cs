using System.Runtime.Versioning;
using Grpc.Core;
using Hotline.Contract.V1;
using Hotline.Server.Store;
using Hotline.Server.Tests.Reliability;
using Hotline.Storage;

namespace Hotline.Server.Tests.Deployment;

/// <summary>
/// The master key from a systemd credential (<c>LoadCredential=</c>, read from
/// <c>$CREDENTIALS_DIRECTORY</c>): what deploy/hotline.service gives the server instead of the
/// environment. Each way of getting it wrong is refused with the fix, never with key material.
/// </summary>
[Collection(ProcessTests.Name)]
[SupportedOSPlatform("linux")]
public sealed class MasterKeyCredentialTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "hotline-credential-" + Guid.NewGuid().ToString("N"));

    private string Credentials => Path.Combine(_root, "credentials");

    private string DataDirectory => Path.Combine(_root, "data");

    [Fact]
    public void Credential_IsReadFromTheCredentialsDirectory()
    {
        WriteCredential("master.key", HotlineTestServer.MasterKey);

        var key = MasterKeyFile.Read(Options("master.key"), Credentials);

        Assert.Equal(Convert.FromBase64String(HotlineTestServer.MasterKey), key);
    }

    [Fact]
    public void CredentialWithoutCredentialsDirectory_IsRefusedNamingLoadCredential()
    {
        var refused = Assert.Throws<MasterKeyException>(() => MasterKeyFile.Read(Options("master.key"), credentialsDirectory: null));

        Assert.Contains("CREDENTIALS_DIRECTORY", refused.Message, StringComparison.Ordinal);
        Assert.Contains("LoadCredential=master.key:", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CredentialAndKeyFileBoth_AreRefused()
    {
        WriteCredential("master.key", HotlineTestServer.MasterKey);
        var options = Options("master.key");
        options.MasterKeyFile = Path.Combine(Credentials, "master.key");

        var refused = Assert.Throws<MasterKeyException>(() => MasterKeyFile.Read(options, Credentials));

        Assert.Contains("set one", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingCredential_IsRefusedWithoutAnyKey()
    {
        Directory.CreateDirectory(Credentials);

        var refused = Assert.Throws<MasterKeyException>(() => MasterKeyFile.Read(Options("master.key"), Credentials));

        Assert.Contains("does not exist", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CredentialOthersCanRead_IsRefusedWithTheFix()
    {
        var file = WriteCredential("master.key", HotlineTestServer.MasterKey);
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var refused = Assert.Throws<MasterKeyException>(() => MasterKeyFile.Read(Options("master.key"), Credentials));

        Assert.Contains("chmod 600", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(HotlineTestServer.MasterKey, refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../master.key")]
    [InlineData("/etc/hotline/master.key")]
    [InlineData("keys/master.key")]
    [InlineData(".hidden")]
    public void CredentialNameThatIsAPath_FailsTheStartCheckAndIsNeverOpened(string name)
    {
        var options = Options(name);

        Assert.Contains(options.Problems(), p => p.Contains("MasterKeyCredential", StringComparison.Ordinal));
        Assert.Throws<MasterKeyException>(() => MasterKeyFile.Read(options, Credentials));
    }

    [Fact]
    public void PlainCredentialName_PassesTheStartCheck()
    {
        Assert.Empty(Options("hotline-master.key_1").Problems());
    }

    [Fact]
    public async Task ServerStartedAsSystemdWould_ServesWithTheCredentialAndNoKeyInItsEnvironment()
    {
        WriteCredential("master.key", HotlineTestServer.MasterKey);
        var environment = new Dictionary<string, string?>
        {
            ["HOTLINE_MASTER_KEY"] = null,
            [MasterKeyFile.CredentialsDirectoryVariable] = Credentials,
            ["Hotline__MasterKeyCredential"] = "master.key",
        };

        await using var server = await ServerProcess.StartAsync(DataDirectory, environment);
        var receipt = await server.Intakes.SubmitRequestAsync(new SubmitRequestRequest { RequestId = "c1", Channel = Channel.Sms, Message = "sealed" },
            ServerProcess.As(ServerProcess.Intake)).ResponseAsync.DefaultTimeout();
        var read = await server.Requests.GetRequestAsync(new GetRequestRequest { Name = receipt.Name },
            ServerProcess.As(ServerProcess.Supervisor)).ResponseAsync.DefaultTimeout();

        Assert.Equal("sealed", read.Request.Message);
        Assert.DoesNotContain(HotlineTestServer.MasterKey, server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerGivenACredentialNameOutsideSystemd_RefusesToStart()
    {
        var environment = new Dictionary<string, string?>
        {
            ["HOTLINE_MASTER_KEY"] = null,
            [MasterKeyFile.CredentialsDirectoryVariable] = null,
            ["Hotline__MasterKeyCredential"] = "master.key",
        };

        await using var server = ServerProcess.Launch(DataDirectory, environment);

        Assert.Equal(5, await server.WaitForExitAsync());
        Assert.Contains("CREDENTIALS_DIRECTORY", server.Output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private StoreOptions Options(string credential) => new() { DataDirectory = DataDirectory, MasterKeyCredential = credential };

    private string WriteCredential(string name, string content)
    {
        Directory.CreateDirectory(Credentials);
        var path = Path.Combine(Credentials, name);
        File.WriteAllText(path, content);
        // What systemd gives the service: read-only, for its user alone.
        File.SetUnixFileMode(path, UnixFileMode.UserRead);
        return path;
    }
}
