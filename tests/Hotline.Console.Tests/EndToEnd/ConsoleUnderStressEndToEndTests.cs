using Hotline.Contract.V1;
using Hotline.Tests;

namespace Hotline.Console.Tests.EndToEnd;

/// <summary>
/// Two operators' real consoles side by side in 80x24 tmux terminals against the real server, as
/// an operator under stress meets them: a supervisor takes a colleague's request, the colleague
/// sees it at once and keeps her draft, and quitting with that draft quits.
/// </summary>
[Collection(HeadlessCollection.Name)]
public sealed class ConsoleUnderStressEndToEndTests
{
    [Fact]
    public async Task SupervisorTakesAColleaguesRequest_SheIsToldAtOnce_AndQuitWithHerDraftQuits()
    {
        await using var server = await ServerProcess.StartAsync();
        using var anna = Console(server, "anna");
        using var lena = Console(server, "lena");
        await anna.WaitForAsync("anna │ connected");
        await lena.WaitForAsync("lena │ connected");

        var receipt = await server.Intake.SubmitRequestAsync(new SubmitRequestRequest
        {
            RequestId = "e2e-" + Guid.NewGuid().ToString("N"),
            Channel = Channel.Signal,
            Language = "ru",
            Message = "Нас держат в отделе, телефон отберут",
            Urgency = Urgency.ImmediateDanger,
        }, server.As("web-form")).ResponseAsync.DefaultTimeout();
        await anna.WaitForAsync("Нас держат в отделе");
        await lena.WaitForAsync("Нас держат в отделе");

        anna.Keys("a");
        await anna.WaitForAsync($"#{receipt.Number} is yours now.");
        anna.Keys("n");
        await anna.WaitForAsync($"Note on #{receipt.Number}");
        anna.Text("Дозвонилась до брата");
        anna.Keys("Escape");
        await anna.WaitForAsync($"Draft note for #{receipt.Number} kept");

        // The supervisor's a on Anna's request asks first and names her; Enter (No) changes nothing.
        await lena.WaitForAsync("held by Anna K.");
        lena.Keys("a");
        var question = await lena.WaitForAsync("Take it from them?");
        Assert.Contains($"#{receipt.Number} is held by Anna K.", question, StringComparison.Ordinal);
        lena.Keys("Enter");
        await lena.WaitForAsync(s => !s.Contains("Take it from them?", StringComparison.Ordinal), "the question to close");
        lena.Keys("a");
        await lena.WaitForAsync("Take it from them?");
        lena.Keys("M-t");
        await lena.WaitForAsync($"#{receipt.Number} is yours now.");

        var told = await anna.WaitForAsync($"#{receipt.Number} was taken over: Lena S.");
        Assert.Contains("Your draft note is kept (n).", told, StringComparison.Ordinal);

        anna.Keys("q");
        await anna.WaitForAsync($"Unsaved draft note on #{receipt.Number}.");
        anna.Keys("q");
        await anna.WaitForAsync("console exited with 0");
        lena.Keys("q");
        await lena.WaitForAsync("console exited with 0");
    }

    [Fact]
    public async Task TokenRevokedElsewhere_ConsoleSaysSignedOutAndWhatToDo_AndStopsTrying()
    {
        await using var server = await ServerProcess.StartAsync();
        using var anna = Console(server, "anna");
        await anna.WaitForAsync("anna │ connected");

        // The panic key on her other workstation revokes the token both consoles use.
        await new OperatorService.OperatorServiceClient(Grpc.Net.Client.GrpcChannel.ForAddress(server.Address))
            .EndMySessionAsync(new EndMySessionRequest(), server.As("anna")).ResponseAsync.DefaultTimeout();

        var screen = await anna.WaitForAsync("SIGNED OUT");
        var flat = System.Text.RegularExpressions.Regex.Replace(screen, @"\s+", " ");
        Assert.Contains("this token was revoked", flat, StringComparison.Ordinal);
        Assert.Contains("Ask an admin for a new token", flat, StringComparison.Ordinal);
        // No retry follows: the server sees no further sign-in attempt from it.
        var refusalsBefore = CountOf(server.Output, "Authentication failed");
        await Task.Delay(TimeSpan.FromSeconds(7));
        Assert.Equal(refusalsBefore, CountOf(server.Output, "Authentication failed"));
        Assert.Contains("SIGNED OUT", anna.Capture(), StringComparison.Ordinal);

        anna.Keys("q");
        await anna.WaitForAsync("console exited with 0");
    }

    private static int CountOf(string text, string part) => System.Text.RegularExpressions.Regex.Count(text, System.Text.RegularExpressions.Regex.Escape(part));

    private static TmuxTerminal Console(ServerProcess server, string operatorId)
    {
        // The shell stays after the console so its exit status can be read off the screen.
        var console = string.Join(' ', new[] { "dotnet", BuiltBinaries.Console, "--server", server.Address.ToString(), "--token-file", server.TokenFile(operatorId), "--no-bell" }
            .Select(arg => $"'{arg}'"));
        return new TmuxTerminal(80, 24, ["sh", "-c", $"{console}; echo \"console exited with $?\"; sleep 60"]);
    }
}
