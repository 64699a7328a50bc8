using System.Globalization;
using System.Security.Cryptography;
using Hotline.Domain;
using Hotline.Protection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Hotline.Storage.Postgres.Tests;

/// <summary>
/// Two servers on one database, each writing and each following the change log for its own
/// watchers: both hand their listeners the identical sequence, every committed revision once, in
/// order, opened; a purged request's changes are gone from both, and its DELETED change is in both.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ChangeFollowerTests(PostgresFixture postgres)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private static readonly OperatorAccount Intake = new("web-form", "Web form", Role.Intake);
    private static readonly OperatorAccount Supervisor = new("sup-1", "Supervisor", Role.Supervisor);

    [Fact]
    public async Task TwoServersWritingAtOnce_BothFollowersDeliverTheIdenticalGapFreeSequence()
    {
        var masterKey = RandomNumberGenerator.GetBytes(KeyRing.MasterKeyLength);
        var connectionString = postgres.Cluster.CreateDatabase();
        await using var database = NpgsqlDataSource.Create(connectionString);
        await PostgresSchema.EnsureAsync(database, CancellationToken.None);
        using var serverA = new WriterServer(database, masterKey);
        using var serverB = new WriterServer(database, masterKey);
        using var deadline = new CancellationTokenSource(Timeout);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
        var heardA = new Heard();
        var heardB = new Heard();
        var followerA = new ChangeFollower(database, serverA.Vault, heardA, publishedThrough: 0, NullLogger.Instance);
        var followerB = new ChangeFollower(database, serverB.Vault, heardB, publishedThrough: 0, NullLogger.Instance);
        var following = new[]
        {
            followerA.RunAsync(new ChangeWakeups(connectionString, TimeSpan.FromMilliseconds(500), NullLogger.Instance), stop.Token),
            followerB.RunAsync(new ChangeWakeups(connectionString, TimeSpan.FromMilliseconds(500), NullLogger.Instance), stop.Token),
        };
        const int PerServer = 120;

        var submits = new List<Task<IntakeReceipt>>();
        for (var i = 0; i < PerServer; i++)
        {
            submits.Add(serverA.SubmitAsync(Submission("a-" + i)));
            submits.Add(serverB.SubmitAsync(Submission("b-" + i)));
        }
        var receipts = await Task.WhenAll(submits).WaitAsync(deadline.Token);
        var claims = receipts.Select((r, i) => (i % 2 == 0 ? serverA : serverB)
            .ExecuteAsync(r.RequestId, new AssignCommand(Operator(i % 7), Operator(i % 7))));
        await Task.WhenAll(claims).WaitAsync(deadline.Token);
        var purgedId = receipts[3].RequestId;
        await serverB.ExecuteAsync(purgedId, new CloseCommand(Supervisor, Resolution.Referred)).WaitAsync(deadline.Token);
        Assert.Equal(1, await serverA.PurgeAsync(purgedId).WaitAsync(deadline.Token));
        var head = serverA.Writer.CommittedRevision;
        Assert.Equal(4 * PerServer + 2, head);

        while (followerA.PublishedThrough < head || followerB.PublishedThrough < head)
        {
            await Task.Delay(50, deadline.Token);
        }
        await stop.CancelAsync();
        await Task.WhenAll(following).WaitAsync(deadline.Token);

        var sequenceA = heardA.Changes();
        var sequenceB = heardB.Changes();
        foreach (var sequence in new[] { sequenceA, sequenceB })
        {
            var revisions = sequence.Select(c => c.Revision).ToList();
            Assert.Equal(revisions.Order().Distinct(), revisions);
            // Every revision but the purged request's own: those are heard or not depending on whether
            // the follower read them before the purge removed them, never anything else.
            var missing = Enumerable.Range(1, (int)head).Select(n => (long)n).Except(revisions).ToList();
            Assert.True(missing.Count <= 3, "only the purged request's changes may be missing: " + string.Join(",", missing));
            Assert.Equal(receipts.Select(r => r.RequestId).Order(StringComparer.Ordinal),
                sequence.Where(c => c.Kind == ChangeKind.Created).Select(c => c.RequestId).Append(purgedId).Distinct().Order(StringComparer.Ordinal));
            Assert.Contains(sequence, c => c.RequestId == purgedId && c.Kind == ChangeKind.Deleted && c.Revision == head);
            Assert.All(sequence.Where(c => c.Kind != ChangeKind.Deleted), c =>
            {
                Assert.NotNull(c.Request);
                Assert.StartsWith("Need help ", c.Request.Message, StringComparison.Ordinal);
                Assert.Equal(c.Revision, c.Request.Revision);
            });
        }
        Assert.Equal(sequenceA.Where(c => c.RequestId != purgedId).Select(Key), sequenceB.Where(c => c.RequestId != purgedId).Select(Key));
    }

    private static string Key(RequestChange change) =>
        change.Revision.ToString(CultureInfo.InvariantCulture) + "/" + change.Kind + "/" + change.RequestId + "/" + change.Request?.Assignee;

    private static NewHelpRequest Submission(string key) => new()
    {
        IntakeRequestId = key,
        SubmittedBy = Intake.Id,
        Channel = Channel.Telegram,
        ContactHandle = "@epsilon",
        Language = "ru",
        Message = "Need help " + key,
        Urgency = Urgency.Urgent,
        Region = "Grozny",
        Tags = ["housing"],
    };

    private static OperatorAccount Operator(int i) =>
        new("op-" + i.ToString(CultureInfo.InvariantCulture), "Operator " + i.ToString(CultureInfo.InvariantCulture), Role.Operator);

    /// <summary>What one server's listener was handed, in the order it was handed.</summary>
    private sealed class Heard : IChangeListener
    {
        private readonly List<RequestChange> _changes = [];

        public void OnCommitted(IReadOnlyList<RequestChange> changes)
        {
            lock (_changes)
            {
                _changes.AddRange(changes);
            }
        }

        public List<RequestChange> Changes()
        {
            lock (_changes)
            {
                return [.. _changes];
            }
        }
    }
}
