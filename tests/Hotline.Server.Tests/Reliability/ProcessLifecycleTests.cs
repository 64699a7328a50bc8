using System.Collections.Concurrent;
using Grpc.Core;
using Hotline.Contract.V1;
using Xunit.Abstractions;

namespace Hotline.Server.Tests.Reliability;

[Collection(ProcessTests.Name)]
public sealed class ProcessLifecycleTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "hotline-life-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task SecondServerOnSameDataDirectory_IsRefusedWithClearMessage()
    {
        await using var first = await ServerProcess.StartAsync(_dataDirectory);
        await using var second = ServerProcess.Launch(_dataDirectory);

        Assert.Equal(3, await second.WaitForExitAsync());
        Assert.Contains(Path.GetFullPath(_dataDirectory), second.Output, StringComparison.Ordinal);
        Assert.Contains("another Hotline server", second.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Hotline listening on", second.Output, StringComparison.Ordinal);
        // Said in a line, not buried under the host's stack trace (a frame reads "   at Type.Method").
        Assert.DoesNotContain("   at ", second.Output, StringComparison.Ordinal);
        Assert.Single(second.Output.Split('\n'), l => l.StartsWith("hotline-server:", StringComparison.Ordinal));

        // The first server is unharmed.
        var receipt = await first.Intakes.SubmitRequestAsync(new SubmitRequestRequest { RequestId = "after-refusal", Channel = Channel.Phone, Message = "still here" },
            ServerProcess.As(ServerProcess.Intake)).ResponseAsync.DefaultTimeout();
        Assert.Equal(1, receipt.Number);
    }

    [Fact]
    public async Task SecondServerOnTheSameAddress_IsRefusedInOneLine()
    {
        await using var first = await ServerProcess.StartAsync(_dataDirectory);
        await using var second = ServerProcess.Launch(_dataDirectory + "-other", "--listen", first.Address.ToString());

        Assert.Equal(9, await second.WaitForExitAsync());
        Assert.Contains("address already in use", second.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(first.Address.Authority, second.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", second.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigterm_FinishesInFlightWritesAndExitsCleanly()
    {
        var acknowledged = new ConcurrentBag<string>();
        int exitCode;
        await using (var server = await ServerProcess.StartAsync(_dataDirectory))
        {
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    try
                    {
                        var receipt = await server.Intakes.SubmitRequestAsync(new SubmitRequestRequest
                        {
                            RequestId = $"term-{w}-{i}",
                            Channel = Channel.WebForm,
                            Message = $"term {w}.{i}",
                        }, ServerProcess.As(ServerProcess.Intake));
                        acknowledged.Add(receipt.Name);
                    }
                    catch (RpcException)
                    {
                        return;
                    }
                }
            })).ToList();
            await Task.Delay(400);
            exitCode = await server.TerminateAsync();
            await stop.CancelAsync();
            await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.DoesNotContain("Unhandled exception", server.Output, StringComparison.Ordinal);
        }
        Assert.Equal(0, exitCode);

        await using var restarted = await ServerProcess.StartAsync(_dataDirectory);
        var list = await restarted.Requests.ListRequestsAsync(new ListRequestsRequest { PageSize = 1_000 }, ServerProcess.As(ServerProcess.Supervisor)).ResponseAsync.DefaultTimeout();
        var stored = list.Requests.Select(r => r.Name).ToHashSet();
        Assert.All(acknowledged, name => Assert.Contains(name, stored));
        output.WriteLine($"SIGTERM under load: exit code {exitCode}, {acknowledged.Count} acknowledged requests all present after restart");
    }

    [Fact]
    public async Task ServerOutput_NeverContainsRequestContent()
    {
        var marker = "CANARY" + Guid.NewGuid().ToString("N")[..12];
        string logged;
        await using (var server = await ServerProcess.StartAsync(_dataDirectory))
        {
            var intake = ServerProcess.As(ServerProcess.Intake);
            var anna = ServerProcess.As(ServerProcess.Operator);
            var receipt = await server.Intakes.SubmitRequestAsync(new SubmitRequestRequest
            {
                RequestId = "canary-1",
                Channel = Channel.Telegram,
                ContactHandle = "@" + marker + "handle",
                Message = marker + " message",
                Region = marker + "region",
                Tags = { marker + "tag" },
            }, intake).ResponseAsync.DefaultTimeout();
            await server.Requests.AssignRequestAsync(new AssignRequestRequest { Name = receipt.Name }, anna).ResponseAsync.DefaultTimeout();
            await server.Requests.AddNoteAsync(new AddNoteRequest { Name = receipt.Name, Text = marker + " note" }, anna).ResponseAsync.DefaultTimeout();
            await server.Requests.CloseRequestAsync(new CloseRequestRequest { Name = receipt.Name, Resolution = Resolution.Other, Comment = marker + " comment" }, anna).ResponseAsync.DefaultTimeout();

            // Refusals too: bad input that carries the marker must not come back in logs or messages.
            var refused = await Assert.ThrowsAsync<RpcException>(() => server.Intakes.SubmitRequestAsync(new SubmitRequestRequest
            {
                RequestId = "canary-2",
                Channel = Channel.Sms,
                ContactHandle = marker + new string('x', 300),
                Message = marker + new string('y', 8_001),
            }, intake).ResponseAsync).DefaultTimeout();
            Assert.DoesNotContain(marker, refused.Status.Detail, StringComparison.Ordinal);
            await Assert.ThrowsAsync<RpcException>(() => server.Requests.AddNoteAsync(
                new AddNoteRequest { Name = receipt.Name, Text = marker + " late note" }, anna).ResponseAsync).DefaultTimeout();

            await server.TerminateAsync();
            logged = server.Output;
        }
        Assert.Contains("submitted", logged, StringComparison.Ordinal);
        Assert.DoesNotContain(marker, logged, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NamesCarryingEscapeSequences_AreRefusedAndNeverReachTheLog()
    {
        const string poison = "\u001b]0;owned\u0007\u001b[2J";
        string logged;
        await using (var server = await ServerProcess.StartAsync(_dataDirectory))
        {
            var anna = ServerProcess.As(ServerProcess.Operator);
            var name = (await server.Intakes.SubmitRequestAsync(new SubmitRequestRequest { RequestId = "poison-1", Channel = Channel.Sms, Message = "x" },
                ServerProcess.As(ServerProcess.Intake)).ResponseAsync.DefaultTimeout()).Name;

            var get = await RpcAssert.FailsAsync(StatusCode.InvalidArgument,
                () => server.Requests.GetRequestAsync(new GetRequestRequest { Name = "requests/" + poison }, anna).ResponseAsync);
            Assert.Equal("name", RpcAssert.BadRequest(get).FieldViolations.Single().Field);
            var assign = await RpcAssert.FailsAsync(StatusCode.InvalidArgument,
                () => server.Requests.AssignRequestAsync(new AssignRequestRequest { Name = name, Assignee = "operators/" + poison },
                    ServerProcess.As(ServerProcess.Supervisor)).ResponseAsync);
            Assert.Equal("assignee", RpcAssert.BadRequest(assign).FieldViolations.Single().Field);
            Assert.DoesNotContain('\u001b', get.Status.Detail + assign.Status.Detail);

            await server.TerminateAsync();
            logged = server.Output;
        }
        Assert.DoesNotContain('\u001b', logged);
        Assert.DoesNotContain('\u0007', logged);
    }

    public void Dispose()
    {
        foreach (var directory in new[] { _dataDirectory, _dataDirectory + "-other" })
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Never created (the second server was refused before), or a file still held; the temp dir is cleaned eventually.
            }
        }
    }
}
