using Grpc.Core;
using Hotline.Contract.V1;
using Hotline.Server.Access;
using Hotline.Server.Mapping;
using Hotline.Server.Stats;

namespace Hotline.Server.Grpc;

/// <summary>
/// StatsService: the queue figures and the monitoring report, for supervisors and admins (the
/// access policy decides who, before any method runs).
/// </summary>
public sealed class StatsGrpcService(Supervision supervision, Domain.IRequestFigures figures, ICallerResolver callers) : StatsService.StatsServiceBase
{
    public override async Task<GetQueueStatsResponse> GetQueueStats(GetQueueStatsRequest request, ServerCallContext context)
    {
        var queue = await supervision.ReadQueueAsync(context.CancellationToken);
        return StatsMapping.ToContract(queue, supervision.Options.TimeZone);
    }

    public override async Task<GetMonitoringReportResponse> GetMonitoringReport(GetMonitoringReportRequest request, ServerCallContext context)
    {
        var builder = StatsMapping.ToBuilder(request, supervision.Options.ReportMinimumCount);
        var caller = callers.Resolve(context);
        var report = await Supervision.ReportAsync(figures, builder, caller.Id, context.CancellationToken);
        return StatsMapping.ToContract(report);
    }
}
