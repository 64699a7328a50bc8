using System.Diagnostics;
using System.Runtime.Versioning;
using Hotline.Console.Tests.EndToEnd;
using Hotline.Contract.V1;

namespace Hotline.Console.Tests.Deployment;

/// <summary>
/// Operators over SSH, for real: a test user logs in to an sshd configured with
/// deploy/ssh/sshd-hotline.conf, with `ssh -tt` in an 80x24 terminal, and gets the console as
/// themselves without typing a token; they claim a request and quit. A dropped link (the SSH
/// client killed mid-note) loses nothing: logging in again attaches to the same console, draft
/// and all. Needs root (CI runs as root); fails saying so otherwise.
/// </summary>
[Collection(HeadlessCollection.Name)]
[SupportedOSPlatform("linux")]
public sealed class SshConsoleTests
{
    [Fact]
    public async Task SshLogin_OpensTheConsoleAsThatPerson_WhoClaimsARequestAndQuits()
    {
        await using var server = await ServerProcess.StartAsync();
        await using var ssh = await SshHost.StartAsync(server.Address.ToString(), server.DataDirectory);
        var token = Path.Combine(ssh.TokenDirectory, ssh.User + ".token");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(token));

        using var terminal = new TmuxTerminal(80, 24, ssh.SshCommand(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".pid")));
        var signedIn = await terminal.WaitForAsync($"{ssh.User} │ connected");
        Assert.DoesNotContain((await File.ReadAllTextAsync(token)).Trim(), signedIn, StringComparison.Ordinal);

        var receipt = await SubmitAsync(server, "Нужна помощь сегодня");
        await terminal.WaitForAsync("Нужна помощь сегодня");
        terminal.Keys("a");
        await terminal.WaitForAsync($"#{receipt.Number} is yours now.");
        var held = await GetAsync(server, receipt.Name);
        Assert.Equal($"operators/{ssh.User}", held.Assignee);

        terminal.Keys("q");
        await terminal.WaitForAsync("ssh exited with 0");
        Assert.False(await ssh.ConsoleSessionExistsAsync(), "the console's tmux session outlived quitting it");
    }

    [Fact]
    public async Task SshClientKilledMidNote_TheDraftIsThereAfterLoggingInAgain()
    {
        await using var server = await ServerProcess.StartAsync();
        await using var ssh = await SshHost.StartAsync(server.Address.ToString(), server.DataDirectory);
        var receipt = await SubmitAsync(server, "Меня ищут, помогите");
        var pidFile = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".pid");

        using (var first = new TmuxTerminal(80, 24, ssh.SshCommand(pidFile)))
        {
            await first.WaitForAsync($"{ssh.User} │ connected");
            await first.WaitForAsync("Меня ищут, помогите");
            first.Keys("a");
            await first.WaitForAsync($"#{receipt.Number} is yours now.");
            first.Keys("n");
            await first.WaitForAsync($"Note on #{receipt.Number}");
            first.Text("Сестра заберёт в 18:00");
            await first.WaitForAsync("Сестра заберёт в 18:00");

            // The link dies as a pulled cable or a dead laptop kills it: the client gets no chance to say goodbye.
            using var client = Process.GetProcessById(int.Parse((await File.ReadAllTextAsync(pidFile)).Trim(), System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal("ssh", client.ProcessName);
            client.Kill();
            await first.WaitForAsync("ssh exited with");
        }
        File.Delete(pidFile);
        Assert.True(await ssh.ConsoleSessionExistsAsync(), "the console ended with the link");

        using var second = new TmuxTerminal(80, 24, ssh.SshCommand(pidFile));
        var again = await second.WaitForAsync("Сестра заберёт в 18:00");
        Assert.Contains($"Note on #{receipt.Number}", again, StringComparison.Ordinal);
        second.Keys("F2");
        await second.WaitForAsync($"Note added to #{receipt.Number}.");
        var noted = await GetAsync(server, receipt.Name);
        Assert.Equal("Сестра заберёт в 18:00", Assert.Single(noted.Notes).Text);

        second.Keys("q");
        await second.WaitForAsync("ssh exited with 0");
        File.Delete(pidFile);
    }

    [Fact]
    public async Task SshLoginWithoutAnAccount_IsToldSoInASentence_AndGetsNothingElse()
    {
        await using var server = await ServerProcess.StartAsync();
        await using var ssh = await SshHost.StartAsync(server.Address.ToString(), server.DataDirectory);
        File.Delete(Path.Combine(ssh.TokenDirectory, ssh.User + ".token"));
        var pidFile = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".pid");

        using var terminal = new TmuxTerminal(80, 24, ssh.SshCommand(pidFile));
        var refused = await terminal.WaitForAsync("ssh exited with");

        Assert.Contains($"you ({ssh.User}) have no Hotline account on this server yet", refused, StringComparison.Ordinal);
        Assert.Contains("ssh exited with 1", refused, StringComparison.Ordinal);
        Assert.False(await ssh.ConsoleSessionExistsAsync());
        File.Delete(pidFile);
    }

    private static async Task<SubmitRequestResponse> SubmitAsync(ServerProcess server, string message) =>
        await server.Intake.SubmitRequestAsync(new SubmitRequestRequest
        {
            RequestId = "ssh-" + Guid.NewGuid().ToString("N"),
            Channel = Channel.Signal,
            Language = "ru",
            Message = message,
            Urgency = Urgency.Urgent,
            ContactHandle = "+7 900 000-00-00",
        }, server.As("web-form")).ResponseAsync.DefaultTimeout();

    private static async Task<HelpRequest> GetAsync(ServerProcess server, string name) =>
        (await server.Requests.GetRequestAsync(new GetRequestRequest { Name = name }, server.As("lena")).ResponseAsync.DefaultTimeout()).Request;
}
