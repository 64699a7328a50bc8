using System.Text.Json;

namespace Hotline.Examples.Tests;

/// <summary>
/// A generic gRPC tool that has no Hotline protos, `buf curl`, against the real server: it finds the
/// services through server reflection, asks the standard health service, and makes the calls the
/// README shows, with and without a token.
/// </summary>
public sealed class BufCurlTests
{
    /// <summary>`bash .ci/run` installs buf and names it in HOTLINE_BUF; elsewhere, buf on the PATH.</summary>
    private static string Buf => Environment.GetEnvironmentVariable("HOTLINE_BUF") is { Length: > 0 } path ? path : "buf";

    private static async Task RequireBufAsync() =>
        await ExamplePaths.RequireAsync(Buf, ["--version"],
            "These tests need buf (npm install -g @bufbuild/buf, or set HOTLINE_BUF to its path; `bash .ci/run` installs it).");

    private static async Task<(int ExitCode, string Output, string Transcript)> CurlAsync(ExampleServer server, string method, string? body,
        string? token, params string[] options)
    {
        string[] headers = token is null ? [] : ["-H", "Authorization: Bearer " + token];
        string[] data = body is null ? [] : ["-d", body];
        await using var curl = ExampleProgram.Start(Buf,
            ["curl", "--http2-prior-knowledge", "--protocol", "grpc", "--timeout", "30s", .. options, .. headers, .. data,
                $"http://{server.HostPort}{method}"]);
        var lines = await curl.RemainingLinesAsync();
        return (curl.ExitCode, string.Join('\n', lines), curl.Transcript);
    }

    [Fact]
    public async Task Reflection_ListsEveryHotlineServiceAndHealth()
    {
        await RequireBufAsync();
        await using var server = await ExampleServer.StartAsync();

        var (exitCode, output, transcript) = await CurlAsync(server, "", body: null, token: null, "--list-methods");

        Assert.True(exitCode == 0, transcript);
        var methods = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var expected in new[]
        {
            "hotline.v1.IntakeService/SubmitRequest", "hotline.v1.RequestService/ListRequests", "hotline.v1.RequestService/WatchRequests",
            "hotline.v1.OperatorService/WhoAmI", "hotline.v1.AuditService/ListAuditEvents", "grpc.health.v1.Health/Check",
        })
        {
            Assert.Contains(expected, methods);
        }
    }

    [Fact]
    public async Task Health_AnswersServingWithoutAToken()
    {
        await RequireBufAsync();
        await using var server = await ExampleServer.StartAsync();

        var (exitCode, output, transcript) = await CurlAsync(server, "/grpc.health.v1.Health/Check", "{}", token: null);

        Assert.True(exitCode == 0, transcript);
        Assert.Equal("SERVING", JsonDocument.Parse(output).RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task TheReadmesCalls_SubmitAndWhoAmI_WorkWithATokenAndAreRefusedWithout()
    {
        await RequireBufAsync();
        await using var server = await ExampleServer.StartAsync();
        const string Submission = """{"request_id":"buf-1","channel":"CHANNEL_SMS","message":"Нужна помощь","urgency":"URGENCY_URGENT"}""";

        var submitted = await CurlAsync(server, "/hotline.v1.IntakeService/SubmitRequest", Submission, server.Token(ExampleServer.Intake));
        var me = await CurlAsync(server, "/hotline.v1.OperatorService/WhoAmI", "{}", server.Token(ExampleServer.Operator));
        var refused = await CurlAsync(server, "/hotline.v1.IntakeService/SubmitRequest", Submission.Replace("buf-1", "buf-2", StringComparison.Ordinal), token: null);

        Assert.True(submitted.ExitCode == 0, submitted.Transcript);
        Assert.StartsWith("requests/", JsonDocument.Parse(submitted.Output).RootElement.GetProperty("name").GetString(), StringComparison.Ordinal);
        Assert.True(me.ExitCode == 0, me.Transcript);
        Assert.Equal("operators/" + ExampleServer.Operator, JsonDocument.Parse(me.Output).RootElement.GetProperty("operator").GetProperty("name").GetString());
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("unauthenticated", refused.Transcript, StringComparison.OrdinalIgnoreCase);
        var stored = await server.Requests.ListRequestsAsync(new Hotline.Contract.V1.ListRequestsRequest { PageSize = 10 }, server.As(ExampleServer.Operator));
        Assert.Single(stored.Requests);
    }
}
