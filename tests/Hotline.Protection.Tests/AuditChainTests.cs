using Hotline.Domain;

namespace Hotline.Protection.Tests;

/// <summary>
/// The chain as every store links and checks it: a verification walks the records a store read
/// back and names the first position where they stop being the chain the writes made.
/// </summary>
public sealed class AuditChainTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AChainAsWritten_VerifiesIntactToItsHead()
    {
        using var ring = KeyRing.Derive(TestKeys.MasterKey);
        var records = Chain(ring, 5);

        var verification = AuditChain.Verify(ring, Stored(records), 5, records[^1].Hash.Span, CancellationToken.None);

        Assert.True(verification.Intact);
        Assert.Equal(5, verification.RecordsChecked);
        Assert.Equal(5, verification.HeadSequence);
        Assert.Equal(records[^1].Hash.ToArray(), verification.HeadHash.ToArray());
    }

    [Fact]
    public void AnEmptyChain_IsIntact()
    {
        using var ring = KeyRing.Derive(TestKeys.MasterKey);

        var verification = AuditChain.Verify(ring, [], 0, AuditChain.GenesisHash.Span, CancellationToken.None);

        Assert.True(verification.Intact);
        Assert.Equal(0, verification.RecordsChecked);
    }

    [Fact]
    public void FirstRecord_FollowsTheGenesisHash()
    {
        using var ring = KeyRing.Derive(TestKeys.MasterKey);

        var first = Chain(ring, 1)[0];

        Assert.Equal(AuditChain.GenesisHash.ToArray(), first.PreviousHash.ToArray());
        Assert.Equal(AuditChain.HashLength, first.Hash.Length);
    }

    [Fact]
    public void UnderAnotherMasterKey_TheFirstRecordIsAltered()
    {
        using var ring = KeyRing.Derive(TestKeys.MasterKey);
        var other = TestKeys.MasterKey;
        other[0] ^= 1;
        using var otherRing = KeyRing.Derive(other);
        var records = Chain(ring, 3);

        var verification = AuditChain.Verify(otherRing, Stored(records), 3, records[^1].Hash.Span, CancellationToken.None);

        Assert.Equal(AuditChainProblem.RecordAltered, verification.Problem);
        Assert.Equal(1, verification.Position);
    }

    public static TheoryData<string, AuditChainProblem, long> Tamperings => new()
    {
        { "edit record 3", AuditChainProblem.RecordAltered, 3 },
        { "drop record 2", AuditChainProblem.RecordMissing, 2 },
        { "drop the last record", AuditChainProblem.ChainTruncated, 5 },
        { "swap records 3 and 4", AuditChainProblem.RecordAltered, 3 },
        { "undecodable record 4", AuditChainProblem.RecordAltered, 4 },
        { "non-numeric key at 2", AuditChainProblem.ChainBroken, 2 },
        { "record 4 rehashed after an edit", AuditChainProblem.ChainBroken, 5 },
        { "head recorded elsewhere", AuditChainProblem.ChainBroken, 5 },
    };

    [Theory]
    [MemberData(nameof(Tamperings))]
    public void Tampering_IsCaughtAtItsPosition(string tampering, AuditChainProblem problem, long position)
    {
        using var ring = KeyRing.Derive(TestKeys.MasterKey);
        var records = Chain(ring, 5);
        var stored = Stored(records).ToList();
        var headHash = records[^1].Hash.ToArray();
        switch (tampering)
        {
            case "edit record 3":
                stored[2] = new StoredAuditRecord(3, records[2] with { Actor = "someone-else" });
                break;
            case "drop record 2":
                stored.RemoveAt(1);
                break;
            case "drop the last record":
                stored.RemoveAt(4);
                break;
            case "swap records 3 and 4":
                stored[2] = new StoredAuditRecord(3, records[3] with { Sequence = 3 });
                stored[3] = new StoredAuditRecord(4, records[2] with { Sequence = 4 });
                break;
            case "undecodable record 4":
                stored[3] = new StoredAuditRecord(4, null);
                break;
            case "non-numeric key at 2":
                stored.Insert(1, new StoredAuditRecord(null, null));
                break;
            case "record 4 rehashed after an edit":
                // Rehashed with the right key, so it matches its own hash; the next one no longer follows it.
                var edited = AuditChain.Create(ring, 4, Start, "someone-else", AuditAction.Read, ["aaaaaaaaaaaaaaaaaaaa"], records[2].Hash.ToArray());
                stored[3] = new StoredAuditRecord(4, edited);
                break;
            case "head recorded elsewhere":
                headHash = records[3].Hash.ToArray();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(tampering), tampering, null);
        }

        var verification = AuditChain.Verify(ring, stored, 5, headHash, CancellationToken.None);

        Assert.False(verification.Intact);
        Assert.Equal(problem, verification.Problem);
        Assert.Equal(position, verification.Position);
        Assert.Equal(position - 1, verification.HeadSequence);
    }

    [Fact]
    public void Canonical_TellsApartRecordsThatDifferOnlyInOptionalFields()
    {
        using var ring = KeyRing.Derive(TestKeys.MasterKey);
        var plain = AuditChain.Create(ring, 1, Start, "op", AuditAction.Read, ["aaaaaaaaaaaaaaaaaaaa"], AuditChain.GenesisHash.ToArray());
        var variants = new[]
        {
            plain,
            plain with { OperatorId = "op" },
            plain with { Revision = 0 },
            plain with { Watch = new WatchMark(0, 0, 0, null, false) },
            plain with { Watch = new WatchMark(0, 0, 0, Start, false) },
            plain with { RequestIds = ["aaaaaaaaaaaaaaaaaaa", "a"] },
        };

        var encodings = variants.Select(r => Convert.ToHexString(AuditChain.Canonical(r))).ToHashSet();

        Assert.Equal(variants.Length, encodings.Count);
    }

    [Fact]
    public void Verify_WhenCancelled_Throws()
    {
        using var ring = KeyRing.Derive(TestKeys.MasterKey);
        var records = Chain(ring, 3);

        Assert.Throws<OperationCanceledException>(() =>
            AuditChain.Verify(ring, Stored(records), 3, records[^1].Hash.Span, new CancellationToken(canceled: true)));
    }

    private static List<AuditRecord> Chain(KeyRing ring, int count)
    {
        var records = new List<AuditRecord>();
        var previous = AuditChain.GenesisHash.ToArray();
        for (var sequence = 1; sequence <= count; sequence++)
        {
            var record = AuditChain.Create(ring, sequence, Start.AddMinutes(sequence), "op-" + sequence, AuditAction.Read,
                ["aaaaaaaaaaaaaaaaaaaa"], previous, revision: sequence);
            records.Add(record);
            previous = record.Hash.ToArray();
        }
        return records;
    }

    private static IEnumerable<StoredAuditRecord> Stored(IEnumerable<AuditRecord> records) =>
        records.Select(r => new StoredAuditRecord(r.Sequence, r));
}
