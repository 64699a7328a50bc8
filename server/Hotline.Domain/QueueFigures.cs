namespace Hotline.Domain;

/// <summary>What the figures need of one open request: clear fields only, nothing sealed.</summary>
/// <param name="EscalationStep">How far the server has escalated it unclaimed (<see cref="HelpRequest.EscalationStep"/>): above 0 is overdue.</param>
/// <param name="FollowUpDue">Its holder's follow-up has fallen due (<see cref="FollowUp.Due"/>).</param>
public sealed record OpenRequestFacts(RequestState State, Urgency Urgency, DateTimeOffset CreateTime, string? Assignee,
    int EscalationStep = 0, bool FollowUpDue = false);

/// <summary>
/// What a store reads for the queue figures (<see cref="IRequestFigures.ReadQueueAsync"/>): the open
/// requests, and today's traffic since <see cref="DayStart"/>.
/// </summary>
/// <param name="TimesToClaim">Arrival to first claim of every request first claimed since the day started.</param>
public sealed record QueueFacts(
    IReadOnlyList<OpenRequestFacts> Open,
    DateTimeOffset DayStart,
    int ReceivedToday,
    int ClosedToday,
    IReadOnlyList<TimeSpan> TimesToClaim);

/// <summary>The open requests of one urgency.</summary>
/// <param name="Overdue">Of <paramref name="Unclaimed"/>, those the server has escalated (step 1 or 2).</param>
public sealed record UrgencyLoad(Urgency Urgency, int Unclaimed, int Assigned, int Waiting, DateTimeOffset? OldestUnclaimedSince, int Overdue = 0);

/// <summary>What one account holds now and whether its console is connected.</summary>
/// <param name="DueFollowUps">Of <paramref name="Held"/>, those whose follow-up has fallen due: promises to keep now, and, when
/// <paramref name="Connected"/> is false, nobody at a console to keep them.</param>
public sealed record OperatorLoad(OperatorAccount Account, int Held, DateTimeOffset? OldestHeldSince, bool Connected, int DueFollowUps = 0);

/// <summary>Today's traffic; the times are null when nothing was claimed today.</summary>
public sealed record DayLoad(DateTimeOffset Start, int Received, int Claimed, int Closed, TimeSpan? MedianTimeToClaim, TimeSpan? P90TimeToClaim);

/// <summary>The supervisor's view of the queue, as of <see cref="ReadTime"/>.</summary>
public sealed record QueueFigures(DateTimeOffset ReadTime, IReadOnlyList<UrgencyLoad> Urgencies, IReadOnlyList<OperatorLoad> Operators, DayLoad Today)
{
    /// <summary>
    /// Works the figures out from what the store read. Costs the open set and today's claims; the
    /// accounts are looked up only for those who hold something or are connected.
    /// </summary>
    /// <param name="connected">Operator ids with a console (a watch stream) open now.</param>
    public static QueueFigures From(QueueFacts facts, IOperatorDirectory directory, IReadOnlySet<string> connected, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(connected);
        var urgencies = new List<UrgencyLoad>(3);
        foreach (var urgency in (Urgency[])[Urgency.ImmediateDanger, Urgency.Urgent, Urgency.Routine])
        {
            int unclaimed = 0, assigned = 0, waiting = 0, overdue = 0;
            DateTimeOffset? oldest = null;
            foreach (var open in facts.Open)
            {
                if (open.Urgency != urgency)
                {
                    continue;
                }
                if (open.Assignee is null)
                {
                    unclaimed++;
                    overdue += open.EscalationStep > 0 ? 1 : 0;
                    oldest = oldest is { } o && o <= open.CreateTime ? o : open.CreateTime;
                }
                else if (open.State == RequestState.Waiting)
                {
                    waiting++;
                }
                else
                {
                    assigned++;
                }
            }
            urgencies.Add(new UrgencyLoad(urgency, unclaimed, assigned, waiting, oldest, overdue));
        }

        var held = new Dictionary<string, (int Count, DateTimeOffset Oldest, int Due)>(StringComparer.Ordinal);
        foreach (var open in facts.Open)
        {
            if (open.Assignee is { } holder)
            {
                var due = open.FollowUpDue ? 1 : 0;
                held[holder] = held.TryGetValue(holder, out var so)
                    ? (so.Count + 1, so.Oldest <= open.CreateTime ? so.Oldest : open.CreateTime, so.Due + due)
                    : (1, open.CreateTime, due);
            }
        }
        var operators = new List<OperatorLoad>();
        foreach (var id in held.Keys.Union(connected, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var account = directory.Find(id) ?? new OperatorAccount(id, id, Role.Operator, Disabled: true);
            if (account.Role < Role.Operator && !held.ContainsKey(id))
            {
                // An intake integration with a watch stream open is not a colleague at a console.
                continue;
            }
            var load = held.GetValueOrDefault(id);
            operators.Add(new OperatorLoad(account, load.Count, load.Count == 0 ? null : load.Oldest, connected.Contains(id), load.Due));
        }

        var times = facts.TimesToClaim.Order().ToList();
        var today = new DayLoad(facts.DayStart, facts.ReceivedToday, times.Count, facts.ClosedToday,
            NearestRank(times, 50), NearestRank(times, 90));
        return new QueueFigures(now, urgencies, operators, today);
    }

    /// <summary>The nearest-rank percentile of sorted values: the smallest value with at least <paramref name="percent"/>% at or below it.</summary>
    public static TimeSpan? NearestRank(IReadOnlyList<TimeSpan> sorted, int percent)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0)
        {
            return null;
        }
        var rank = (int)Math.Ceiling(percent / 100.0 * sorted.Count);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }
}

/// <summary>What a monitoring report needs of one request: its clear fields and its opened region and tags.</summary>
public sealed record ReportFacts(DateTimeOffset CreateTime, string Region, IReadOnlyList<string> Tags, Channel Channel, Urgency Urgency, Resolution Resolution);

/// <summary>
/// The reads behind supervision figures and the monitoring report. Both read through indexes on
/// clear fields: the queue figures cost the open set and today's traffic, a report costs the
/// requests received in its range, a batch at a time.
/// </summary>
public interface IRequestFigures
{
    /// <summary>The open requests (from the open-key index, no document opened) and the traffic since <paramref name="dayStart"/>.</summary>
    Task<QueueFacts> ReadQueueAsync(DateTimeOffset dayStart, CancellationToken cancellationToken);

    /// <summary>
    /// Every request received in [<paramref name="from"/>, <paramref name="until"/>), oldest first,
    /// in batches of at most <paramref name="batchSize"/>, each read only when the one before has
    /// been taken, so a report holds a batch, not the range. Opens each request's region and tags
    /// only. Throws FAILED_PRECONDITION LOCKED_DOWN while the key vault is locked.
    /// </summary>
    IAsyncEnumerable<IReadOnlyList<ReportFacts>> ReadReportFactsAsync(DateTimeOffset from, DateTimeOffset until, int batchSize, CancellationToken cancellationToken);

    /// <summary>Appends the REPORTED audit record of <paramref name="reader"/> producing a report; it names no request.</summary>
    Task RecordReportAsync(string reader, CancellationToken cancellationToken);
}
