using System.Diagnostics;
using Hotline.Server.Admin;
using Hotline.Server.Backup;
using Hotline.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hotline.Benchmarks;

/// <summary>
/// The backup and restore verbs' work on a store of 10,000 requests (500 with --smoke): a sealed
/// backup taken from the open store (copied by its writer, then sealed chunk by chunk to a file),
/// its size, and a restore of it into an empty directory (decrypt, open, verify the audit chain to
/// the recorded head, re-apply retention). Peer: a plain File.Copy of the same data file, right
/// after each; the ratio is what sealing and checking add to moving the bytes.
/// </summary>
internal static class BackupBenchmark
{
    public static async Task RunAsync(RunSize size)
    {
        var count = size == RunSize.Smoke ? 500 : 10_000;
        Report.Section(Report.Invariant($"10. Backup and restore: {count:N0} requests, sealed backup of the open store, restored into an empty directory"),
            "peer: File.Copy of the same checkpointed data file, right after (1.00x = sealing and checking add nothing)");
        using var scratch = new ScratchDirectory();
        var source = scratch.Sub("live");
        var keyFile = BenchKeys.WriteFile(scratch.Sub("master.key"));
        using var store = LiteDbRequestStore.Open(source, new RequestStoreOptions(), TimeProvider.System, NoChangeListener.Instance,
            NullLogger.Instance, BenchKeys.MasterKey);
        await StoreFill.SubmitAsync(store, count);
        var maker = new BackupMaker(Path.GetFullPath(source), new BackupOptions(), retentionDays: 30, TimeProvider.System);

        var backups = new List<double>();
        var holds = new List<double>();
        var restores = new List<double>();
        var peers = new List<double>();
        long sealedBytes = 0;
        long databaseBytes = 0;
        for (var rep = 0; rep < size.Repetitions; rep++)
        {
            var file = scratch.Sub(Report.Invariant($"backup-{rep}"));
            var started = Stopwatch.GetTimestamp();
            var summary = await BackupFiles.WriteNewAsync(file, emit => maker.MakeAsync(async (target, cancellationToken) =>
            {
                // The part writes wait for: the writer's checkpoint and copy.
                var held = Stopwatch.GetTimestamp();
                var snapshot = await store.CopyDatabaseAsync(target, cancellationToken);
                holds.Add(Stopwatch.GetElapsedTime(held).TotalMilliseconds);
                return snapshot;
            }, BenchKeys.MasterKey, emit, CancellationToken.None));
            backups.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            sealedBytes = new FileInfo(file).Length;
            databaseBytes = summary.DatabaseBytes;

            started = Stopwatch.GetTimestamp();
            File.Copy(Path.Combine(source, LiteDbRequestStore.DatabaseFileName), scratch.Sub(Report.Invariant($"peer-{rep}.db")));
            peers.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);

            var errors = new StringWriter();
            started = Stopwatch.GetTimestamp();
            var exit = await RestoreCommand.RunAsync(
                ["restore", "--from", file, "--data-dir", scratch.Sub(Report.Invariant($"restored-{rep}")), "--backup-keys", maker.KeyFile,
                    "--Hotline:MasterKeyFile", keyFile, "--Hotline:RetentionDays", "30"],
                TextWriter.Null, errors);
            restores.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (exit != 0)
            {
                throw new InvalidOperationException($"The restore refused the backup (exit {exit}): {errors}");
            }
        }
        var peer = Repeated.Median([.. peers]);
        Report.Row("database size", Report.Megabytes(databaseBytes));
        Report.Row("sealed backup size", Report.Megabytes(sealedBytes), Report.Ratio((double)sealedBytes / databaseBytes));
        Report.Row("backup (copy by the writer, seal, write)", Report.Ms(Repeated.Median([.. backups])) + " ms", Report.Ratio(Repeated.Median([.. backups]) / peer));
        Report.Row("  of which the writer is held (writes wait)", Report.Ms(Repeated.Median([.. holds])) + " ms", Report.Ratio(Repeated.Median([.. holds]) / peer));
        Report.Row("restore (decrypt, open, verify, retention)", Report.Ms(Repeated.Median([.. restores])) + " ms", Report.Ratio(Repeated.Median([.. restores]) / peer));
        Report.Row("plain file copy (peer)", Report.Ms(peer) + " ms", Report.Ratio(1));
    }
}
