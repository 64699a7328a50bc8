using System.Text;
using Grpc.Core;
using Hotline.Contract.V1;
using Hotline.Tests;
using Xunit.Abstractions;

namespace Hotline.Server.Tests.Reliability;

/// <summary>
/// Backups and restores as an administrator runs them: the real binary's `backup`, `purge-log` and
/// `restore` verbs, against a running server (through its admin socket) or a stopped data directory,
/// and a server started on what was restored.
/// </summary>
[Collection(ProcessTests.Name)]
public sealed class BackupRestoreTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "hotline-backup-" + Guid.NewGuid().ToString("N"));

    private string Live => Path.Combine(_root, "live");

    private string Restored => Path.Combine(_root, "restored");

    private string BackupFile => Path.Combine(_root, "hotline.backup");

    private string Keys => Path.Combine(Live, "backup-keys");

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task BackupUnderConcurrentWrites_Restored_HoldsEveryRequestAcknowledgedBefore_ChainVerifies_WatchAheadIsReset()
    {
        var acknowledged = new List<string>();
        long liveRevision;
        await using (var server = await ServerProcess.StartAsync(Live))
        {
            for (var i = 0; i < 200; i++)
            {
                acknowledged.Add((await server.Intakes.SubmitRequestAsync(Submission($"before-{i}"), ServerProcess.As(ServerProcess.Intake))).Name);
            }
            // Submits and claims keep running while the backup is taken.
            using var stop = new CancellationTokenSource();
            var writes = 0;
            var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var submitted = await server.Intakes.SubmitRequestAsync(Submission($"during-{w}-{i}"), ServerProcess.As(ServerProcess.Intake));
                    await server.Requests.AssignRequestAsync(new AssignRequestRequest { Name = submitted.Name }, ServerProcess.As(ServerProcess.Operator));
                    Interlocked.Increment(ref writes);
                }
            })).ToList();
            while (Volatile.Read(ref writes) < 20)
            {
                await Task.Delay(20);
            }
            var backup = await RunAsync("backup", "--out", BackupFile, "--data-dir", Live);
            var writesDuringBackup = Volatile.Read(ref writes);
            await Task.Delay(300);
            await stop.CancelAsync();
            await Task.WhenAll(writers).DefaultTimeout();
            output.WriteLine(backup.Output);
            Assert.Equal(0, backup.ExitCode);
            Assert.Contains("Server running", backup.Output, StringComparison.Ordinal);
            Assert.Contains("NEW BACKUP KEY", backup.Output, StringComparison.Ordinal);
            Assert.True(Volatile.Read(ref writes) > writesDuringBackup, "writes went on during and after the backup");
            liveRevision = (await server.Requests.ListRequestsAsync(new ListRequestsRequest { PageSize = 1 }, ServerProcess.As(ServerProcess.Supervisor))).Revision;
        }
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(BackupFile));
        var sealedBytes = await File.ReadAllBytesAsync(BackupFile);
        Assert.Equal("HLBACKUP"u8.ToArray(), sealedBytes[..8]);
        // Sealed: neither a message nor the database's own clear structure shows through.
        Assert.Equal(-1, sealedBytes.AsSpan().IndexOf("ожидание"u8));
        Assert.Equal(-1, sealedBytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(acknowledged[0]["requests/".Length..])));

        var restore = await RunAsync("restore", "--from", BackupFile, "--data-dir", Restored, "--backup-keys", Keys);
        output.WriteLine(restore.Output);
        Assert.Equal(0, restore.ExitCode);
        Assert.Contains("audit chain verified", restore.Output, StringComparison.Ordinal);

        await using var restored = await ServerProcess.StartAsync(Restored);
        foreach (var name in acknowledged)
        {
            var request = await restored.Requests.GetRequestAsync(new GetRequestRequest { Name = name }, ServerProcess.As(ServerProcess.Supervisor));
            Assert.StartsWith("ожидание", request.Request.Message, StringComparison.Ordinal);
        }
        var verify = await RunAsync("audit", "verify", "--data-dir", Restored);
        Assert.Equal(0, verify.ExitCode);
        Assert.Contains("Server running", verify.Output, StringComparison.Ordinal);
        Assert.Contains("Audit chain intact", verify.Output, StringComparison.Ordinal);

        // The restored store is a new history: a console that followed the live server past the
        // backup, or one that stopped before it, resumes on revisions the restored store never made
        // (or made differently), so both get a reset and a fresh snapshot, never a silent resume.
        foreach (var resumeAt in new[] { liveRevision + 1, 2L })
        {
            using var watch = restored.Requests.WatchRequests(new WatchRequestsRequest { StartRevision = resumeAt },
                new CallOptions(HotlineTestServer.Bearer(ServerProcess.Operator)));
            Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None).DefaultTimeout());
            Assert.Equal(WatchRequestsResponse.EventOneofCase.Reset, watch.ResponseStream.Current.EventCase);
            Assert.Equal("REVISION_COMPACTED", watch.ResponseStream.Current.Reset.Reason);
        }
        // New changes get revisions the lost server cannot have used.
        var after = await restored.Intakes.SubmitRequestAsync(Submission("after-restore"), ServerProcess.As(ServerProcess.Intake));
        var revisionAfter = (await restored.Requests.ListRequestsAsync(new ListRequestsRequest { PageSize = 1 }, ServerProcess.As(ServerProcess.Supervisor))).Revision;
        Assert.True(revisionAfter > liveRevision + Hotline.Storage.LiteDbRequestStore.NewHistoryGap / 2, $"revision {revisionAfter} after the restore");
        Assert.NotEmpty(after.Name);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task PurgedAfterTheBackup_RestoredWithThePurgeLog_StaysPurged()
    {
        string kept, purged;
        await using (var server = await ServerProcess.StartAsync(Live))
        {
            kept = (await server.Intakes.SubmitRequestAsync(Submission("kept"), ServerProcess.As(ServerProcess.Intake))).Name;
            purged = (await server.Intakes.SubmitRequestAsync(Submission("purged"), ServerProcess.As(ServerProcess.Intake))).Name;
            Assert.Equal(0, (await RunAsync("backup", "--out", BackupFile, "--data-dir", Live)).ExitCode);
            Assert.Equal(0, (await RunAsync("purge", purged, "--yes", "--data-dir", Live)).ExitCode);
            var log = await RunAsync("purge-log", "--out", Path.Combine(_root, "purged.txt"), "--data-dir", Live);
            Assert.Equal(0, log.ExitCode);
            Assert.Contains("1 purged request(s)", log.Output, StringComparison.Ordinal);
        }
        Assert.Contains(purged, await File.ReadAllTextAsync(Path.Combine(_root, "purged.txt")), StringComparison.Ordinal);

        var restore = await RunAsync("restore", "--from", BackupFile, "--data-dir", Restored, "--backup-keys", Keys,
            "--purge-log", Path.Combine(_root, "purged.txt"));
        output.WriteLine(restore.Output);
        Assert.Equal(0, restore.ExitCode);
        Assert.Contains("Purged again: 1 request(s) named in the purge log", restore.Output, StringComparison.Ordinal);

        await using var restored = await ServerProcess.StartAsync(Restored);
        Assert.Equal(kept, (await restored.Requests.GetRequestAsync(new GetRequestRequest { Name = kept }, ServerProcess.As(ServerProcess.Supervisor))).Request.Name);
        await RpcAssert.FailsWithReasonAsync(StatusCode.NotFound, "REQUEST_NOT_FOUND",
            () => restored.Requests.GetRequestAsync(new GetRequestRequest { Name = purged }, ServerProcess.As(ServerProcess.Supervisor)).ResponseAsync);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task EpochPastRetention_ItsKeyIsDestroyedByTheRetentionPass_RestoreRefuses()
    {
        // Epochs of about 0.9 s and retention of about 1.7 s: the backup's key goes within seconds.
        string[] fast = ["--Hotline:Backup:EpochDays", "0.00001", "--Hotline:RetentionDays", "0.00002", "--Hotline:RetentionCheckInterval", "00:00:00.2"];
        await using (var server = await ServerProcess.StartAsync(Live, fast))
        {
            var backup = await RunAsync("backup", "--out", BackupFile, "--data-dir", Live);
            Assert.Equal(0, backup.ExitCode);
            Assert.Contains("It can be restored until", backup.Output, StringComparison.Ordinal);
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!server.Output.Contains("Backup key of", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
            Assert.Contains("Backup key of", server.Output, StringComparison.Ordinal);
        }
        // Restored with default settings (30-day epochs, no retention): only the key file itself can refuse it.
        var restore = await RunAsync("restore", "--from", BackupFile, "--data-dir", Restored, "--backup-keys", Keys);
        output.WriteLine(restore.Output);
        Assert.Equal(ExitCodes.BackupKeyDestroyed, restore.ExitCode);
        Assert.Contains("can never be read again", restore.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Restored));
    }

    [Fact]
    public async Task BackupOfAStoppedServer_OneByteAltered_OrCutShort_RestoreRefusesAndLeavesNoDirectory()
    {
        await SeedStoppedAsync();
        var backup = await RunAsync("backup", "--out", BackupFile, "--data-dir", Live);
        Assert.Equal(0, backup.ExitCode);
        Assert.Contains("No server running", backup.Output, StringComparison.Ordinal);
        var bytes = await File.ReadAllBytesAsync(BackupFile);

        var tampered = Path.Combine(_root, "tampered.backup");
        var copy = (byte[])bytes.Clone();
        copy[copy.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(tampered, copy);
        var refused = await RunAsync("restore", "--from", tampered, "--data-dir", Restored, "--backup-keys", Keys);
        Assert.Equal(ExitCodes.BackupDamaged, refused.ExitCode);
        Assert.Contains("was altered", refused.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", refused.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Restored));

        var cut = Path.Combine(_root, "cut.backup");
        await File.WriteAllBytesAsync(cut, bytes[..(bytes.Length - 100)]);
        refused = await RunAsync("restore", "--from", cut, "--data-dir", Restored, "--backup-keys", Keys);
        Assert.Equal(ExitCodes.BackupDamaged, refused.ExitCode);
        Assert.Contains("truncated", refused.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Restored));

        // The revision in the clear header is authenticated too.
        copy = (byte[])bytes.Clone();
        copy[10 + 8 + 8 + 8 + 7] ^= 0x01;
        await File.WriteAllBytesAsync(tampered, copy);
        refused = await RunAsync("restore", "--from", tampered, "--data-dir", Restored, "--backup-keys", Keys);
        Assert.Equal(ExitCodes.BackupDamaged, refused.ExitCode);
        Assert.False(Directory.Exists(Restored));

        Assert.Equal(0, (await RunAsync("restore", "--from", BackupFile, "--data-dir", Restored, "--backup-keys", Keys)).ExitCode);
    }

    [Fact]
    public async Task NonEmptyTarget_OrWrongMasterKey_RestoreRefusesWithItsOwnCode()
    {
        await SeedStoppedAsync();
        Assert.Equal(0, (await RunAsync("backup", "--out", BackupFile, "--data-dir", Live)).ExitCode);
        var again = await RunAsync("backup", "--out", BackupFile, "--data-dir", Live);
        Assert.Equal(ExitCodes.Refused, again.ExitCode);
        Assert.Contains("never overwrites", again.Output, StringComparison.Ordinal);

        Directory.CreateDirectory(Restored);
        var precious = Path.Combine(Restored, "notes.txt");
        await File.WriteAllTextAsync(precious, "keep me");
        var refused = await RunAsync("restore", "--from", BackupFile, "--data-dir", Restored, "--backup-keys", Keys);
        Assert.Equal(ExitCodes.RestoreTargetNotEmpty, refused.ExitCode);
        Assert.Contains("is not empty", refused.Output, StringComparison.Ordinal);
        Assert.Equal("keep me", await File.ReadAllTextAsync(precious));

        var elsewhere = Path.Combine(_root, "elsewhere");
        refused = await RunWithKeyAsync(Convert.ToBase64String(new byte[32]), "restore", "--from", BackupFile, "--data-dir", elsewhere, "--backup-keys", Keys);
        Assert.Equal(ExitCodes.MasterKeyRefused, refused.ExitCode);
        Assert.Contains("does not open with this master key", refused.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(elsewhere));
    }

    private async Task SeedStoppedAsync()
    {
        await ServerProcess.SeedAsync(Live);
        await using var server = await ServerProcess.StartAsync(Live);
        await server.Intakes.SubmitRequestAsync(Submission("stopped"), ServerProcess.As(ServerProcess.Intake));
    }

    private static SubmitRequestRequest Submission(string id) =>
        new() { RequestId = id, Channel = Hotline.Contract.V1.Channel.WebForm, Message = "ожидание звонка " + id };

    private static Task<CommandLineResult> RunAsync(params string[] args) => RunWithKeyAsync(HotlineTestServer.MasterKey, args);

    /// <remarks>Two minutes: a backup or restore of a store under concurrent writes is slow on a shared machine.</remarks>
    private static Task<CommandLineResult> RunWithKeyAsync(string masterKey, params string[] args) =>
        ServerProcess.AdministerAsync(args, new Dictionary<string, string?> { ["HOTLINE_MASTER_KEY"] = masterKey }, TimeSpan.FromSeconds(120));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
