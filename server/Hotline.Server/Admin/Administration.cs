using Google.Protobuf.WellKnownTypes;
using Hotline.Contract.V1;
using Hotline.Domain;
using Hotline.Server.Mapping;
using Hotline.Server.Stats;
using Microsoft.Extensions.Options;

namespace Hotline.Server.Admin;

/// <summary>
/// AdminService's work, the one implementation both doors run: the admin socket on a running
/// server (<see cref="AdminGrpcService"/>) and the command line on a stopped one's data directory.
/// Takes and returns contract messages and does the mapping to and from the domain, once. Lockdown
/// and unlock are not here: what they do depends on whether a server process is running.
/// </summary>
public sealed class Administration(OperatorAdministration operators, StoreAdministration store, IRequestFigures figures, IOptions<StatsOptions> stats)
{
    public async Task<AddOperatorResponse> AddOperatorAsync(AddOperatorRequest request, CancellationToken cancellationToken)
    {
        var issued = await operators.AddAsync(request.Id, request.DisplayName, (Domain.Role)request.Role, cancellationToken);
        return new AddOperatorResponse { Account = ToContract(issued.Record), Token = issued.Token };
    }

    public ListOperatorAccountsResponse ListOperatorAccounts()
    {
        var response = new ListOperatorAccountsResponse();
        response.Accounts.AddRange(operators.List().Select(ToContract));
        return response;
    }

    public async Task<SetOperatorDisabledResponse> SetOperatorDisabledAsync(SetOperatorDisabledRequest request, CancellationToken cancellationToken)
    {
        var id = ContractMapping.ParseOperatorName(request.Name, "name");
        var (record, ended) = await operators.SetDisabledAsync(id, request.Disabled, cancellationToken);
        return new SetOperatorDisabledResponse { Account = ToContract(record), EndedSessions = ended };
    }

    public async Task<RotateOperatorTokenResponse> RotateOperatorTokenAsync(RotateOperatorTokenRequest request, CancellationToken cancellationToken)
    {
        var id = ContractMapping.ParseOperatorName(request.Name, "name");
        var issued = await operators.RotateAsync(id, cancellationToken);
        return new RotateOperatorTokenResponse { Account = ToContract(issued.Record), Token = issued.Token, EndedSessions = issued.EndedSessions };
    }

    /// <param name="masterKey">Empty to check with the keys in memory; the master key while locked down.</param>
    public async Task<VerifyAuditResponse> VerifyAuditAsync(ReadOnlyMemory<byte> masterKey, CancellationToken cancellationToken)
    {
        var check = await store.VerifyAuditAsync(masterKey, cancellationToken);
        return new VerifyAuditResponse
        {
            Verification = ContractMapping.ToContract(check.Verification),
            Locked = check.Locked,
            AccountChangesAwaitingUnlock = check.Verification.AccountChangesAwaitingUnlock,
        };
    }

    /// <summary>Refused as a whole, before anything changes, for a malformed name (see <see cref="StoreAdministration.PurgeAsync"/> for the rest).</summary>
    public async Task<PurgeRequestsResponse> PurgeRequestsAsync(PurgeRequestsRequest request, CancellationToken cancellationToken)
    {
        var ids = request.Names.Select((name, i) => ContractMapping.ParseRequestName(name, $"names[{i}]")).ToList();
        var outcome = await store.PurgeAsync(ids, request.ClosedBefore?.ToDateTimeOffset(), request.ValidateOnly, cancellationToken);
        var response = new PurgeRequestsResponse { ClosedBeforeCount = outcome.ClosedBeforeCount };
        response.Requests.AddRange(outcome.Purged.Select(ContractMapping.ToContract));
        response.NotFound.AddRange(outcome.NotFound.Select(ContractMapping.RequestName));
        return response;
    }

    /// <summary>A monitoring report as StatsService makes one, audited as made by <see cref="OperatorCommand.AdministratorActor"/>.</summary>
    public async Task<ProduceMonitoringReportResponse> ProduceMonitoringReportAsync(ProduceMonitoringReportRequest request, CancellationToken cancellationToken)
    {
        var builder = StatsMapping.ToBuilder(request.Report ?? new GetMonitoringReportRequest(), stats.Value.ReportMinimumCount);
        var report = await Supervision.ReportAsync(figures, builder, OperatorCommand.AdministratorActor, cancellationToken);
        return new ProduceMonitoringReportResponse { Report = StatsMapping.ToContract(report) };
    }

    public static Contract.V1.OperatorAccount ToContract(OperatorRecord record) => new()
    {
        Operator = ContractMapping.ToContract(record.Account),
        CreateTime = Timestamp.FromDateTimeOffset(record.CreateTime),
        RotateTime = record.RotateTime is { } rotated ? Timestamp.FromDateTimeOffset(rotated) : null,
        HasToken = record.TokenHash is not null,
    };
}
