using Google.Protobuf.WellKnownTypes;
using Hotline.Domain;
using V1 = Hotline.Contract.V1;

namespace Hotline.Server.Mapping;

/// <summary>StatsService's messages to and from the domain's figures and reports (see <see cref="ContractMapping"/>).</summary>
public static class StatsMapping
{
    public static V1.GetQueueStatsResponse ToContract(QueueFigures figures, string timeZone)
    {
        ArgumentNullException.ThrowIfNull(figures);
        var response = new V1.GetQueueStatsResponse
        {
            ReadTime = Timestamp.FromDateTimeOffset(figures.ReadTime),
            Today = new V1.DayFigures
            {
                StartTime = Timestamp.FromDateTimeOffset(figures.Today.Start),
                TimeZone = timeZone,
                Received = figures.Today.Received,
                Claimed = figures.Today.Claimed,
                Closed = figures.Today.Closed,
                MedianTimeToClaim = figures.Today.MedianTimeToClaim is { } median ? Duration.FromTimeSpan(median) : null,
                P90TimeToClaim = figures.Today.P90TimeToClaim is { } p90 ? Duration.FromTimeSpan(p90) : null,
            },
        };
        response.Urgencies.AddRange(figures.Urgencies.Select(u => new V1.UrgencyFigures
        {
            Urgency = (V1.Urgency)u.Urgency,
            Unclaimed = u.Unclaimed,
            Assigned = u.Assigned,
            Waiting = u.Waiting,
            OldestUnclaimedCreateTime = u.OldestUnclaimedSince is { } since ? Timestamp.FromDateTimeOffset(since) : null,
            OldestUnclaimedAge = u.OldestUnclaimedSince is { } from ? Duration.FromTimeSpan(Max(figures.ReadTime - from)) : null,
            Overdue = u.Overdue,
        }));
        response.Operators.AddRange(figures.Operators.Select(o => new V1.OperatorLoad
        {
            Operator = ContractMapping.OperatorName(o.Account.Id),
            DisplayName = o.Account.DisplayName,
            Held = o.Held,
            OldestHeldCreateTime = o.OldestHeldSince is { } oldest ? Timestamp.FromDateTimeOffset(oldest) : null,
            Connected = o.Connected,
            Disabled = o.Account.Disabled,
            DueFollowUps = o.DueFollowUps,
        }));
        return response;
    }

    /// <summary>Checks the request's range, period and k; INVALID_ARGUMENT naming each bad field.</summary>
    public static MonitoringReportBuilder ToBuilder(V1.GetMonitoringReportRequest request, int configuredMinimum)
    {
        ArgumentNullException.ThrowIfNull(request);
        return MonitoringReportBuilder.Parse(request.StartDate, request.EndDate, (ReportPeriod)request.Period, request.MinimumCount, configuredMinimum);
    }

    public static V1.GetMonitoringReportResponse ToContract(MonitoringReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var response = new V1.GetMonitoringReportResponse
        {
            StartDate = report.StartDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            EndDate = report.EndDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            Period = (V1.ReportPeriod)report.Period,
            MinimumCount = report.MinimumCount,
            Csv = report.ToCsv(),
            Table = report.ToTable(),
        };
        response.Cells.AddRange(report.Cells.Select(c => new V1.ReportCell
        {
            Period = c.Key.Period,
            Region = c.Key.Region,
            Tag = c.Key.Tag,
            Channel = (V1.Channel)c.Key.Channel,
            Urgency = (V1.Urgency)c.Key.Urgency,
            Resolution = (V1.Resolution)c.Key.Resolution,
            Count = c.Count,
            Withheld = c.Withheld,
        }));
        response.Groups.AddRange(report.Groups.Select(g => new V1.ReportGroup
        {
            Period = g.Period,
            Region = g.Region,
            Tag = g.Tag,
            Total = g.Total,
            Withheld = g.Withheld,
        }));
        return response;
    }

    /// <summary>A clock set back can put an arrival ahead of now: an age is never negative.</summary>
    private static TimeSpan Max(TimeSpan age) => age < TimeSpan.Zero ? TimeSpan.Zero : age;
}
