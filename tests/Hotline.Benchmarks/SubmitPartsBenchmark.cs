namespace Hotline.Benchmarks;

/// <summary>
/// Prices each part of what a submit writes: the documents of <see cref="SchemaPeer"/>, written raw
/// through LiteDB with one part taken away at a time, against the per-insert peer of section 1 (one
/// request-sized document, three indexes) in the same repetition. Says how far the intake rate can
/// rise by changing the writer alone (not past the full set) and what each stored part costs.
/// </summary>
internal static class SubmitPartsBenchmark
{
    private static readonly (string Label, SubmitParts Parts)[] Variants =
    [
        ("all of it (what the store writes)", SubmitParts.All),
        ("without ten secondary indexes", SubmitParts.All & ~SubmitParts.SecondaryIndexes),
        ("without the change-log entry", SubmitParts.All & ~SubmitParts.ChangeEntry),
        ("without the intake key", SubmitParts.All & ~SubmitParts.IntakeKey),
        ("without the data key", SubmitParts.All & ~SubmitParts.DataKey),
        ("without the audit record", SubmitParts.All & ~SubmitParts.AuditRecord),
        ("the sealed request alone, three indexes", SubmitParts.None),
    ];

    public static void Run(RunSize size)
    {
        Report.Section("13. What a submit's documents cost in LiteDB, part by part (raw LiteDB, none of the store's own work)",
            "peer: raw LiteDB, one request-sized document with three indexes, one transaction + Checkpoint per insert (section 1's per-insert peer), same run");
        using var scratch = new ScratchDirectory();
        using var perInsertDb = StoreIntakeBenchmark.RawDatabase(scratch.Sub("per-insert"));
        var peers = Variants.Select((v, i) => new SchemaPeer(scratch.Sub(Report.Invariant($"parts-{i}")), v.Parts)).ToArray();
        try
        {
            var perInsert = new List<double>();
            var one = Variants.Select(_ => new List<double>()).ToArray();
            var grouped = Variants.Select(_ => new List<double>()).ToArray();
            long nextNumber = 1;
            for (var rep = -1; rep < size.Repetitions; rep++)
            {
                var warmUp = rep < 0;
                var perInsertRate = StoreIntakeBenchmark.InsertOneByOne(perInsertDb, ref nextNumber, warmUp ? 50 : size.SingleSubmits);
                var oneRates = peers.Select(p => p.Write(warmUp ? 20 : size.SingleSubmits / 2, 1)).ToArray();
                var groupedRates = peers.Select(p => p.Write(warmUp ? size.ConcurrentSubmits / 5 : size.ConcurrentSubmits, StoreIntakeBenchmark.SchemaGroup)).ToArray();
                if (warmUp)
                {
                    continue;
                }
                perInsert.Add(perInsertRate);
                for (var i = 0; i < Variants.Length; i++)
                {
                    one[i].Add(oneRates[i]);
                    grouped[i].Add(groupedRates[i]);
                }
            }
            Report.Row("raw LiteDB, transaction + checkpoint per insert", Report.Rate(Repeated.Median(perInsert)), "1.00x");
            Report.Columns(Report.Invariant($"1 per tx / {StoreIntakeBenchmark.SchemaGroup} per tx"), "vs per-insert: 1 / grouped            all of it vs this, grouped");
            for (var i = 0; i < Variants.Length; i++)
            {
                Report.Row(Variants[i].Label,
                    Report.Invariant($"{Report.Rate(Repeated.Median(one[i]))} / {Report.Rate(Repeated.Median(grouped[i]))}"),
                    Report.Invariant($"{Report.Ratio(Repeated.MedianRatio(one[i], perInsert))} / {Report.Ratio(Repeated.MedianRatio(grouped[i], perInsert))}").PadRight(36) +
                    Report.Ratio(Repeated.MedianRatio(grouped[0], grouped[i])));
            }
            // The same variants counted instead of timed: what each appends to LiteDB's log.
            var perInsertPages = StoreIntakeBenchmark.LogPagesPerInsert(perInsertDb, scratch.Sub("per-insert"), ref nextNumber, LogVolume.Transactions(size));
            Report.Columns(Report.Invariant($"log pages: 1 per tx / per submit at {StoreIntakeBenchmark.SchemaGroup}"), "vs the per-insert peer's insert   (counted, not timed; a page is 8 KiB)");
            Report.Row("raw LiteDB, transaction per insert", LogVolume.Pages(perInsertPages), "1.00x");
            for (var i = 0; i < Variants.Length; i++)
            {
                var (onePages, groupedPages) = peers[i].LogPagesPerSubmit(LogVolume.Transactions(size));
                Report.Row(Variants[i].Label, LogVolume.Pages(onePages) + " / " + LogVolume.Pages(groupedPages),
                    Report.Ratio(onePages / perInsertPages) + " / " + Report.Ratio(groupedPages / perInsertPages));
            }
        }
        finally
        {
            foreach (var peer in peers)
            {
                peer.Dispose();
            }
        }
    }
}
