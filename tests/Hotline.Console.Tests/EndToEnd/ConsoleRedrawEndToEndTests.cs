using System.Text.RegularExpressions;
using Hotline.Contract.V1;
using Hotline.Tests;
using Xunit.Abstractions;

namespace Hotline.Console.Tests.EndToEnd;

/// <summary>
/// What the real console writes to a real 80x24 terminal (tmux records every byte) while idle and
/// when one row of its queue changes: a colleague claims a request on screen. Over a slow SSH link
/// a redraw of the whole table on every change, or every second, is what makes a console lag.
/// </summary>
[Collection(HeadlessCollection.Name)]
public sealed class ConsoleRedrawEndToEndTests(ITestOutputHelper output)
{
    /// <summary>The issue's bound for a one-row update; measured at 100-210 bytes, so escape-sequence variance has room.</summary>
    private const int MaxBytesPerRowUpdate = 2048;

    /// <summary>
    /// Three idle seconds, while the ages still count seconds, cost about 500 bytes; redrawing the
    /// table every second, as the console did, cost over 6,000.
    /// </summary>
    private const int MaxBytesIdle = 2048;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OneRowChanges_TheTerminalIsSentThatRowNotTheScreen(bool noColor)
    {
        await using var server = await ServerProcess.StartAsync();
        var receipts = new List<SubmitRequestResponse>();
        for (var i = 0; i < 15; i++)
        {
            var receipt = await server.Intake.SubmitRequestAsync(new SubmitRequestRequest
            {
                RequestId = "e2e-" + Guid.NewGuid().ToString("N"),
                Channel = Channel.Telegram,
                Language = "ru",
                Message = $"Нужна консультация юриста по повестке, обращение {i}",
                Urgency = Urgency.Routine,
            }, server.As("web-form")).ResponseAsync.DefaultTimeout();
            receipts.Add(receipt);
        }
        var console = string.Join(' ', new[] { "dotnet", BuiltBinaries.Console, "--server", server.Address.ToString(), "--token-file", server.TokenFile("anna"), "--no-bell" }
            .Select(arg => $"'{arg}'"));
        using var terminal = new TmuxTerminal(80, 24, ["sh", "-c", (noColor ? "NO_COLOR=1 " : "") + console]);
        await terminal.WaitForAsync("anna │ connected");
        await terminal.WaitForAsync("обращение 0");

        var recording = Path.Combine(Path.GetTempPath(), "hotline-redraw-" + Guid.NewGuid().ToString("N"));
        try
        {
            terminal.RecordOutput(recording);
            await SettleAsync(recording);
            var idleStart = Size(recording);
            await Task.Delay(TimeSpan.FromSeconds(3));
            var idle = Size(recording) - idleStart;

            // Rows 3 to 5, none of them selected, so the detail pane stays as it was.
            var updates = new List<long>();
            foreach (var (name, number) in receipts.Skip(2).Take(3).Select(r => (r.Name, r.Number)))
            {
                var before = Size(recording);
                await server.Requests.AssignRequestAsync(new AssignRequestRequest { Name = name, Assignee = "operators/lena" },
                    server.As("lena")).ResponseAsync.DefaultTimeout();
                await terminal.WaitForAsync(s => Regex.IsMatch(s, $@"^\s*{number}\s.*\blena\b", RegexOptions.Multiline), $"#{number} held by lena");
                await SettleAsync(recording);
                updates.Add(Size(recording) - before);
            }

            output.WriteLine($"{(noColor ? "NO_COLOR" : "colour")}: idle 3 s: {idle} bytes; one-row update: {string.Join(", ", updates)} bytes");
            Assert.InRange(idle, 0, MaxBytesIdle);
            Assert.All(updates, bytes => Assert.InRange(bytes, 1, MaxBytesPerRowUpdate));
        }
        finally
        {
            File.Delete(recording);
        }
    }

    private static long Size(string file) => File.Exists(file) ? new FileInfo(file).Length : 0;

    /// <summary>Waits until nothing more arrives for half a second (the one-second tick may still write the ages after).</summary>
    private static async Task SettleAsync(string file)
    {
        var deadline = DateTime.UtcNow + TaskTimeouts.Default;
        var size = Size(file);
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
            var now = Size(file);
            if (now == size)
            {
                return;
            }
            size = now;
        }
    }
}
