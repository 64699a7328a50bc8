using System.Text.Json;
using Hotline.Contract.V1;

namespace Hotline.Examples.Tests;

/// <summary>
/// The HTTP/JSON intake (POST /v1/requests:submit, gRPC JSON transcoding) driven by plain curl
/// against the real server: the same token check, validation with BadRequest details,
/// idempotency, size limit and rate limit as gRPC, HTTP/1.1 over TLS, and no HTTP/1.1 in plaintext.
/// </summary>
public sealed class HttpJsonIntakeTests
{
    private const string Path = "/v1/requests:submit";

    private static async Task RequireCurlAsync() =>
        await ExamplePaths.RequireAsync("curl", ["--version"], "The HTTP/JSON tests need curl (apt-get install curl; `bash .ci/run` does).");

    /// <summary>Runs curl; returns the response body (parsed, or null when empty) and the HTTP status.</summary>
    private static async Task<(JsonElement? Body, int Status, string Transcript)> PostAsync(ExampleServer server, string? body, string? token,
        params string[] options)
    {
        string[] headers = token is null ? [] : ["-H", "Authorization: Bearer " + token];
        var bodyFile = System.IO.Path.Combine(server.Scratch, $"body-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(bodyFile, body ?? "");
        var url = options.Contains("--cacert") ? $"https://localhost:{server.Address.Port}{Path}" : $"http://{server.HostPort}{Path}";
        await using var curl = ExampleProgram.Start("curl", [
            "-sS", "--max-time", "30", .. (options.Length == 0 ? ["--http2-prior-knowledge"] : options),
            "-H", "Content-Type: application/json", .. headers, "--data-binary", "@" + bodyFile,
            "--write-out", "\n{\"http_status\":%{http_code}}\n", url]);
        var lines = await curl.RemainingAsync();
        var status = lines.Count > 0 && lines[^1].TryGetProperty("http_status", out var code) ? code.GetInt32() : 0;
        JsonElement? parsed = lines.Count > 1 ? lines[0] : null;
        return (parsed, status, curl.Transcript);
    }

    private static string Submission(string requestId, string message, string language = "ru") =>
        JsonSerializer.Serialize(new { requestId, channel = "CHANNEL_SMS", message, language, urgency = "URGENCY_URGENT" });

    private static async Task<int> StoredCountAsync(ExampleServer server) =>
        (await server.Requests.ListRequestsAsync(new ListRequestsRequest { PageSize = 100 }, server.As(ExampleServer.Operator))).Requests.Count;

    private static IEnumerable<JsonElement> Details(JsonElement status, string type) =>
        status.GetProperty("details").EnumerateArray().Where(d => d.GetProperty("@type").GetString() == "type.googleapis.com/google.rpc." + type);

    [Fact]
    public async Task Submit_RetriedWithTheSameRequestId_StoresOneRequest()
    {
        await RequireCurlAsync();
        await using var server = await ExampleServer.StartAsync();

        var first = await PostAsync(server, Submission("sms-1", "Нужна помощь"), server.Token(ExampleServer.Intake));
        var retry = await PostAsync(server, Submission("sms-1", "Нужна помощь"), server.Token(ExampleServer.Intake));

        Assert.True(first.Status == 200, first.Transcript);
        Assert.Equal(200, retry.Status);
        Assert.False(first.Body!.Value.GetProperty("duplicate").GetBoolean());
        Assert.True(retry.Body!.Value.GetProperty("duplicate").GetBoolean());
        Assert.Equal(first.Body.Value.GetProperty("name").GetString(), retry.Body.Value.GetProperty("name").GetString());
        // int64 is a string in protobuf JSON, so a JavaScript gateway loses no digits.
        Assert.Equal(JsonValueKind.String, first.Body.Value.GetProperty("number").ValueKind);
        var stored = Assert.Single((await server.Requests.ListRequestsAsync(new ListRequestsRequest { PageSize = 100 }, server.As(ExampleServer.Operator))).Requests);
        Assert.Equal(Channel.Sms, stored.Channel);
        Assert.Equal(Urgency.Urgent, stored.Urgency);
        Assert.Equal("ru", stored.Language);
    }

    [Fact]
    public async Task Submit_BadInput_Gets400WithBadRequestNamingEachFieldAndStoresNothing()
    {
        await RequireCurlAsync();
        await using var server = await ExampleServer.StartAsync();

        var refused = await PostAsync(server, Submission("sms-2", "   ", language: "not a language"), server.Token(ExampleServer.Intake));

        Assert.True(refused.Status == 400, refused.Transcript);
        var status = refused.Body!.Value;
        Assert.Equal(3, status.GetProperty("code").GetInt32());
        Assert.Equal("INVALID_FIELDS", Assert.Single(Details(status, "ErrorInfo")).GetProperty("reason").GetString());
        var fields = Assert.Single(Details(status, "BadRequest")).GetProperty("fieldViolations").EnumerateArray()
            .Select(v => v.GetProperty("field").GetString()).Order().ToList();
        Assert.Equal(["language", "message"], fields);
        Assert.DoesNotContain("not a language", refused.Transcript, StringComparison.Ordinal);
        Assert.Equal(0, await StoredCountAsync(server));
    }

    [Fact]
    public async Task Submit_WithoutOrWithAWrongToken_Gets401AndStoresNothing()
    {
        await RequireCurlAsync();
        await using var server = await ExampleServer.StartAsync();

        var none = await PostAsync(server, Submission("sms-3", "help"), token: null);
        var wrong = await PostAsync(server, Submission("sms-3", "help"), "hl_" + new string('a', 52));
        var operatorToken = await PostAsync(server, Submission("sms-3", "help"), server.Token(ExampleServer.Feed));

        Assert.True(none.Status == 401, none.Transcript);
        Assert.Equal(16, none.Body!.Value.GetProperty("code").GetInt32());
        Assert.Equal(401, wrong.Status);
        // An operator may submit too (intake is open to every role), so the one token that works is accepted.
        Assert.Equal(200, operatorToken.Status);
        Assert.Equal(1, await StoredCountAsync(server));
    }

    [Fact]
    public async Task Submit_FasterThanTheRateLimit_Gets429WithRetryInfoAndStoresOnlyWhatWasAllowed()
    {
        await RequireCurlAsync();
        await using var server = await ExampleServer.StartAsync("--Hotline:Intake:PerCallerPerSecond", "0.1", "--Hotline:Intake:Burst", "1");

        var allowed = await PostAsync(server, Submission("sms-4", "help"), server.Token(ExampleServer.Intake));
        var limited = await PostAsync(server, Submission("sms-5", "help"), server.Token(ExampleServer.Intake));

        Assert.True(allowed.Status == 200, allowed.Transcript);
        Assert.True(limited.Status == 429, limited.Transcript);
        Assert.Equal("RATE_LIMITED", Assert.Single(Details(limited.Body!.Value, "ErrorInfo")).GetProperty("reason").GetString());
        var delay = Assert.Single(Details(limited.Body.Value, "RetryInfo")).GetProperty("retryDelay").GetString()!;
        Assert.Matches(@"^\d+(\.\d+)?s$", delay);
        Assert.Equal(1, await StoredCountAsync(server));
    }

    [Fact]
    public async Task Submit_BodyOverTheMessageLimit_IsRefusedAndStoresNothing()
    {
        await RequireCurlAsync();
        await using var server = await ExampleServer.StartAsync();

        var refused = await PostAsync(server, Submission("sms-6", new string('x', 300 * 1024)), server.Token(ExampleServer.Intake));

        // Refused before it is read or parsed, as a gRPC message of that size would be.
        Assert.True(refused.Status == 413, refused.Transcript);
        Assert.Equal(8, refused.Body!.Value.GetProperty("code").GetInt32());
        Assert.Equal("MESSAGE_TOO_LARGE", Assert.Single(Details(refused.Body.Value, "ErrorInfo")).GetProperty("reason").GetString());
        Assert.Equal(0, await StoredCountAsync(server));
        Assert.False(server.HasExited);
    }

    [Fact]
    public async Task Submit_OverTlsWithHttp11_IsAcceptedWhilePlaintextSpeaksNoHttp11()
    {
        await RequireCurlAsync();
        var tls = Directory.CreateTempSubdirectory("hotline-tls-").FullName;
        try
        {
            await using (var make = ExampleProgram.Start("dotnet", [Hotline.Tests.BuiltBinaries.Server, "tls", "selfsigned", "--out", System.IO.Path.Combine(tls, "out"), "--host", "localhost"]))
            {
                Assert.True(await make.WaitForExitAsync() == 0, make.Transcript);
            }
            var certificate = System.IO.Path.Combine(tls, "out", "hotline.crt");
            await using var server = await ExampleServer.StartAsync("--listen", "https://127.0.0.1:0",
                "--Hotline:Tls:CertificatePath", certificate, "--Hotline:Tls:KeyPath", System.IO.Path.Combine(tls, "out", "hotline.key"));

            using (var pem = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(certificate))
            {
                server.Pins = [Hotline.Contract.Client.PinnedCertificate.Of(pem)];
            }
            var accepted = await PostAsync(server, Submission("sms-7", "help"), server.Token(ExampleServer.Intake),
                "--http1.1", "--cacert", certificate, "--resolve", $"localhost:{server.Address.Port}:127.0.0.1");

            Assert.True(accepted.Status == 200, accepted.Transcript);
            Assert.Contains("< HTTP/1.1", await VerboseProtocolAsync(server, certificate), StringComparison.Ordinal);
            Assert.Equal(1, await StoredCountAsync(server));
        }
        finally
        {
            Directory.Delete(tls, recursive: true);
        }

        await using var plaintext = await ExampleServer.StartAsync();
        var http11 = await PostAsync(plaintext, Submission("sms-8", "help"), plaintext.Token(ExampleServer.Intake), "--http1.1");
        Assert.NotEqual(200, http11.Status);
        Assert.Equal(0, await StoredCountAsync(plaintext));
    }

    /// <summary>curl -v's account of the exchange, to see which protocol was spoken.</summary>
    private static async Task<string> VerboseProtocolAsync(ExampleServer server, string certificate)
    {
        await using var curl = ExampleProgram.Start("curl", ["-sS", "-v", "--http1.1", "--cacert", certificate, "--resolve",
            $"localhost:{server.Address.Port}:127.0.0.1", "-o", "/dev/null", $"https://localhost:{server.Address.Port}{Path}"]);
        await curl.WaitForExitAsync();
        return curl.Error;
    }
}
