using Grpc.Core;
using Hotline.Contract.V1;
using Hotline.Server.Admin;
using static Hotline.Server.Tests.HotlineTestServer;

namespace Hotline.Server.Tests;

/// <summary>
/// The monitoring report end to end: over StatsService and the admin command line, against
/// requests that carry a canary in every free-text field. Regions and tags are reported, so
/// there the canary is unique per request (as a name or a street would be) and must be folded
/// away as rare; message, contact handle, notes and the closing comment are never reported at all.
/// </summary>
public sealed class MonitoringReportServiceTests
{
    private const string Canary = "kanarienvogel";

    [Fact]
    public async Task Report_ShowsNoCountBelowK_FoldsRareRegions_AndNoCanaryReachesIt()
    {
        await using var server = await StartAsync();
        await SeedAsync(server);
        var stats = new StatsService.StatsServiceClient(server.Channel);

        var report = await stats.GetMonitoringReportAsync(ThisYear(), As(Supervisor)).ResponseAsync.DefaultTimeout();

        Assert.Equal(5, report.MinimumCount);
        Assert.All(report.Cells.Where(c => !c.Withheld), c => Assert.True(c.Count >= 5, $"a shown cell counts {c.Count}"));
        Assert.All(report.Groups.Where(g => !g.Withheld), g => Assert.True(g.Total >= 5, $"a shown total is {g.Total}"));
        // " Chechnya", "CHECHNYA " and "chechnya" are one region; Dagestan (3 requests) and the unique regions are folded.
        Assert.Contains(report.Groups, g => g.Region == "chechnya" && g.Tag == "detention" && g.Total == 8 && !g.Withheld);
        Assert.DoesNotContain(report.Cells, c => c.Region.Contains("dagestan", StringComparison.Ordinal));
        Assert.Contains(report.Cells, c => c.Region == "(other)");
        Assert.Contains("<5", report.Csv, StringComparison.Ordinal);
        foreach (var text in new[] { report.Csv, report.Table, report.ToString() })
        {
            Assert.DoesNotContain(Canary, text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("@", text, StringComparison.Ordinal);
            Assert.DoesNotContain("requests/", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Report_IsAuditedAsReportedByItsCaller_NamingNoRequest()
    {
        await using var server = await StartAsync();
        await SeedAsync(server);
        var stats = new StatsService.StatsServiceClient(server.Channel);

        await stats.GetMonitoringReportAsync(ThisYear(), As(Supervisor)).ResponseAsync.DefaultTimeout();

        var audit = new AuditService.AuditServiceClient(server.Channel);
        var events = await audit.ListAuditEventsAsync(new ListAuditEventsRequest { PageSize = 1_000 }, As(Supervisor)).ResponseAsync.DefaultTimeout();
        var reported = Assert.Single(events.Events, e => e.Action == AuditAction.Reported);
        Assert.Equal("operators/" + Supervisor, reported.Actor);
        Assert.Empty(reported.Requests);
    }

    [Theory]
    [InlineData("2026-13-01", "2026-12-31", ReportPeriod.Month, 0, "start_date")]
    [InlineData("2026-02-01", "2026-01-31", ReportPeriod.Month, 0, "end_date")]
    [InlineData("2020-01-01", "2026-01-31", ReportPeriod.Week, 0, "end_date")]
    [InlineData("2026-01-01", "2026-01-31", ReportPeriod.Unspecified, 0, "period")]
    [InlineData("2026-01-01", "2026-01-31", ReportPeriod.Month, 2, "minimum_count")]
    public async Task Report_WithBadInput_IsInvalidArgumentNamingTheField(string start, string end, ReportPeriod period, int k, string field)
    {
        await using var server = await StartAsync();
        var stats = new StatsService.StatsServiceClient(server.Channel);

        var ex = await RpcAssert.FailsAsync(StatusCode.InvalidArgument, () => stats.GetMonitoringReportAsync(new GetMonitoringReportRequest
        {
            StartDate = start,
            EndDate = end,
            Period = period,
            MinimumCount = k,
        }, As(Supervisor)).ResponseAsync);

        Assert.Contains(RpcAssert.BadRequest(ex).FieldViolations, v => v.Field == field);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task AdminReportVerb_ThroughTheSocket_PrintsTheTable_WritesOwnerOnlyCsv_WithoutCanary()
    {
        await using var server = await StartAsync();
        await SeedAsync(server);
        var csv = Path.Combine(Path.GetTempPath(), "hotline-report-" + Guid.NewGuid().ToString("N") + ".csv");
        try
        {
            using var output = new StringWriter();
            using var error = new StringWriter();
            var year = DateTime.UtcNow.Year;
            var exit = await AdminCommandLine.RunAsync(["report", "--from", $"{year}-01-01", "--to", $"{year}-12-31", "--by", "week", "--csv", csv,
                "--data-dir", server.DataDirectory], output, error).DefaultTimeout();

            Assert.True(exit == 0, output.ToString() + error);
            var printed = output.ToString();
            Assert.Contains("Monitoring report", printed, StringComparison.Ordinal);
            Assert.Contains("chechnya", printed, StringComparison.Ordinal);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(csv));
            var written = await File.ReadAllTextAsync(csv);
            Assert.StartsWith("period,region,tag,channel,urgency,resolution,count\r\n", written, StringComparison.Ordinal);
            Assert.Matches(@"\d{4}-W\d{2}", written);
            Assert.DoesNotContain(Canary, printed + written, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            File.Delete(csv);
        }
    }

    private static GetMonitoringReportRequest ThisYear() => new()
    {
        StartDate = $"{DateTime.UtcNow.Year}-01-01",
        EndDate = $"{DateTime.UtcNow.Year}-12-31",
        Period = ReportPeriod.Month,
    };

    /// <summary>
    /// 8 requests from Chechnya tagged detention (written three ways), 3 from Dagestan, 2 from
    /// regions only one request names; each with the canary in message, handle, a note and, for
    /// the closed ones, the closing comment, and a tag only it carries.
    /// </summary>
    private static async Task SeedAsync(HotlineTestServer server)
    {
        string[] regions = [" Chechnya", "CHECHNYA ", "chechnya", "Chechnya", "chechnya", "Chechnya", "chechnya", "Chechnya",
            "Dagestan", "Dagestan", "Dagestan", $"{Canary} street 1", $"{Canary} street 2"];
        for (var i = 0; i < regions.Length; i++)
        {
            var submitted = await server.Intakes.SubmitRequestAsync(new SubmitRequestRequest
            {
                RequestId = Guid.NewGuid().ToString(),
                Channel = i % 2 == 0 ? Channel.Telegram : Channel.Signal,
                ContactHandle = $"@{Canary}{i}",
                Language = "ru",
                Message = $"{Canary} message {i}",
                Urgency = Urgency.Urgent,
                Region = regions[i],
                Tags = { "detention", $"{Canary}{i}" },
            }, As(Intake)).ResponseAsync.DefaultTimeout();
            await server.Requests.AssignRequestAsync(new AssignRequestRequest { Name = submitted.Name }, As(Supervisor)).ResponseAsync.DefaultTimeout();
            await server.Requests.AddNoteAsync(new AddNoteRequest { Name = submitted.Name, Text = $"{Canary} note {i}" }, As(Supervisor)).ResponseAsync.DefaultTimeout();
            if (i % 3 == 0)
            {
                await server.Requests.CloseRequestAsync(new CloseRequestRequest { Name = submitted.Name, Resolution = Resolution.LegalAid, Comment = $"{Canary} closed" },
                    As(Supervisor)).ResponseAsync.DefaultTimeout();
            }
        }
    }
}
