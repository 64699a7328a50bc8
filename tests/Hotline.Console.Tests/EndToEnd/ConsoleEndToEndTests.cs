using Hotline.Contract.V1;
using Hotline.Tests;

namespace Hotline.Console.Tests.EndToEnd;

/// <summary>
/// The real server process and the real console in an 80x24 tmux terminal: a request submitted
/// through intake appears on screen, is claimed, annotated and closed with keys, and the server
/// confirms every step over gRPC; a second request from the same handle is linked to the first,
/// which opens from it.
/// </summary>
[Collection(HeadlessCollection.Name)]
public sealed class ConsoleEndToEndTests
{
    [Fact]
    public async Task EscalationArrivingLive_IsMarkedInTheQueueAndBannersTheSupervisor()
    {
        // Tiny thresholds, so the crossings come within seconds of the request's arrival.
        await using var server = await ServerProcess.StartAsync(
            "--Hotline:Escalation:ImmediateDanger:First", "00:00:02", "--Hotline:Escalation:ImmediateDanger:Second", "00:00:05");
        var console = string.Join(' ', new[] { "dotnet", BuiltBinaries.Console, "--server", server.Address.ToString(), "--token-file", server.TokenFile("lena"), "--no-bell" }
            .Select(arg => $"'{arg}'"));
        using var terminal = new TmuxTerminal(80, 24, ["sh", "-c", $"NO_COLOR=1 {console}; echo \"console exited with $?\"; sleep 60"]);
        await terminal.WaitForAsync("lena │ connected");

        var receipt = await server.Intake.SubmitRequestAsync(new SubmitRequestRequest
        {
            RequestId = "e2e-" + Guid.NewGuid().ToString("N"),
            Channel = Channel.Signal,
            Message = "За домом следят, нужна помощь сейчас.",
            Urgency = Urgency.ImmediateDanger,
        }, server.As("web-form")).ResponseAsync.DefaultTimeout();

        await terminal.WaitForAsync("!1 new");
        var banner = await terminal.WaitForAsync($"SUPERVISOR: #{receipt.Number} IMMEDIATE DANGER still unclaimed (!2)");
        Assert.Contains("!2 new", banner, StringComparison.Ordinal);
        var stored = await GetAsync(server, receipt.Name);
        Assert.Equal(2, stored.EscalationStep);

        terminal.Keys("a");
        await terminal.WaitForAsync($"#{receipt.Number} is yours now.");
        Assert.Equal(0, (await GetAsync(server, receipt.Name)).EscalationStep);
    }

    [Fact]
    public async Task RequestFromIntake_IsClaimedAnnotatedClosedAndFoundAgainFromTheNextContact()
    {
        await using var server = await ServerProcess.StartAsync();
        // The shell stays after the console so its exit status can be read off the screen.
        var console = string.Join(' ', new[] { "dotnet", BuiltBinaries.Console, "--server", server.Address.ToString(), "--token-file", server.TokenFile("anna"), "--no-bell" }
            .Select(arg => $"'{arg}'"));
        using var terminal = new TmuxTerminal(80, 24, ["sh", "-c", $"{console}; echo \"console exited with $?\"; sleep 60"]);
        await terminal.WaitForAsync("anna │ connected");

        var receipt = await server.Intake.SubmitRequestAsync(new SubmitRequestRequest
        {
            RequestId = "e2e-" + Guid.NewGuid().ToString("N"),
            Channel = Channel.Telegram,
            Language = "ce",
            Message = "ГӀо де, дехар до! Сан ваша тахана лаьцна.",
            Urgency = Urgency.ImmediateDanger,
            ContactHandle = "@e2e_requester",
            Region = "Грозный",
        }, server.As("web-form")).ResponseAsync.DefaultTimeout();
        var arrived = await terminal.WaitForAsync("ГӀо де, дехар до!");
        Assert.Contains($"#{receipt.Number} · IMMEDIATE DANGER · Telegram · new, nobody holds it", arrived, StringComparison.Ordinal);

        terminal.Keys("a");
        await terminal.WaitForAsync($"#{receipt.Number} is yours now.");
        var held = await GetAsync(server, receipt.Name);
        Assert.Equal(RequestState.Assigned, held.State);
        Assert.Equal("operators/anna", held.Assignee);

        terminal.Keys("n");
        await terminal.WaitForAsync($"Note on #{receipt.Number}");
        terminal.Text("Позвонила брату, адвокат едет");
        terminal.Keys("Enter");
        terminal.Text("Перезвонить в 22:00");
        terminal.Keys("F2");
        await terminal.WaitForAsync($"Note added to #{receipt.Number}.");
        var noted = await GetAsync(server, receipt.Name);
        Assert.Equal("Позвонила брату, адвокат едет\nПерезвонить в 22:00", Assert.Single(noted.Notes).Text);
        Assert.Equal("operators/anna", noted.Notes[0].Author);

        terminal.Keys("Enter");
        var opened = await terminal.WaitForAsync(s => !s.Contains("Age", StringComparison.Ordinal), "the request to fill the screen");
        Assert.Contains("Anna K. (anna): Позвонила брату, адвокат едет", opened, StringComparison.Ordinal);
        // A key right after Esc would arrive as Alt+key: wait for the queue to come back first.
        terminal.Keys("Escape");
        await terminal.WaitForAsync("Age");

        terminal.Keys("c");
        await terminal.WaitForAsync($"Close #{receipt.Number}");
        terminal.Keys("Down", "Down", "Tab");
        terminal.Text("Адвокат на месте");
        terminal.Keys("Enter");
        await terminal.WaitForAsync($"#{receipt.Number} closed: legal aid.");
        var closed = await GetAsync(server, receipt.Name);
        Assert.Equal(RequestState.Closed, closed.State);
        Assert.Equal(Resolution.LegalAid, closed.Resolution);
        Assert.Equal("Адвокат на месте", closed.ResolutionComment);

        // The same requester writes again: the console links the two and opens the first from the second.
        var again = await server.Intake.SubmitRequestAsync(new SubmitRequestRequest
        {
            RequestId = "e2e-" + Guid.NewGuid().ToString("N"),
            Channel = Channel.Telegram,
            Language = "ce",
            Message = "Брата так и не отпустили.",
            ContactHandle = "@E2E_requester",
        }, server.As("web-form")).ResponseAsync.DefaultTimeout();
        await terminal.WaitForAsync($"#{again.Number} · routine · Telegram · new, nobody holds it");
        await terminal.WaitForAsync("1 earlier contact — press e to open");
        Assert.Contains("↻1 Брата так и не отпустили.", terminal.Capture(), StringComparison.Ordinal);

        terminal.Keys("e");
        var related = await terminal.WaitForAsync("1 other request from");
        Assert.Matches($@"{receipt.Number} \d\d:\d\d\s+tg\s+DANGER closed anna\s+ГӀо де", related);
        terminal.Keys("Enter");
        await terminal.WaitForAsync($"Showing #{receipt.Number}: the view is now closed today.");
        Assert.Contains($"#{receipt.Number} · IMMEDIATE DANGER · Telegram · closed (legal aid)", terminal.Capture(), StringComparison.Ordinal);

        terminal.Keys("q");
        await terminal.WaitForAsync("console exited with 0");
    }

    private static async Task<HelpRequest> GetAsync(ServerProcess server, string name) =>
        (await server.Requests.GetRequestAsync(new GetRequestRequest { Name = name }, server.As("lena")).ResponseAsync.DefaultTimeout()).Request;
}
