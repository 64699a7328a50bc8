using Hotline.Domain;
using Hotline.Server.Access;
using Microsoft.Extensions.Options;

namespace Hotline.Server.Stats;

/// <summary>
/// Supervision figures in domain terms, for StatsService and the admin command line: the queue
/// now, from the store's indexes and the open watch streams, and monitoring reports.
/// </summary>
public sealed class Supervision(IRequestFigures figures, IOperatorDirectory directory, SessionRegistry sessions, IOptions<StatsOptions> options, TimeProvider time)
{
    /// <summary>Requests a report reads per batch: what it holds of the requests at any time.</summary>
    public const int ReportBatchSize = 500;

    public StatsOptions Options => options.Value;

    /// <summary>The queue now. Costs the open set and today's traffic; reads nothing sealed and is not audited.</summary>
    public async Task<QueueFigures> ReadQueueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var facts = await figures.ReadQueueAsync(options.Value.DayStart(now), cancellationToken);
        return QueueFigures.From(facts, directory, sessions.OperatorsConnected(), now);
    }

    /// <summary>
    /// Counts every request received in the builder's range, a batch at a time, then records the
    /// REPORTED audit record before the report is handed back (as any read of sealed fields is).
    /// </summary>
    public static async Task<MonitoringReport> ReportAsync(IRequestFigures figures, MonitoringReportBuilder builder, string reader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(figures);
        ArgumentNullException.ThrowIfNull(builder);
        await foreach (var batch in figures.ReadReportFactsAsync(builder.From, builder.Until, ReportBatchSize, cancellationToken))
        {
            foreach (var request in batch)
            {
                builder.Add(request);
            }
        }
        var report = builder.Build();
        await figures.RecordReportAsync(reader, cancellationToken);
        return report;
    }
}
