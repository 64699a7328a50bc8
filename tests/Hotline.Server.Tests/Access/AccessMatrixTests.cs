using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Health.V1;
using Hotline.Contract.V1;
using Hotline.Server.Access;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static Hotline.Server.Tests.HotlineTestServer;

namespace Hotline.Server.Tests.Access;

/// <summary>
/// Every RPC called by every kind of caller, each outcome checked against the policy stated
/// once, in <see cref="Policy"/>. Mutations act on a fresh request held by operator A, so the
/// per-object rules (holder or supervisor) show up in the same table.
/// </summary>
public sealed class AccessMatrixTests(ITestOutputHelper output)
{
    private const string Revoked = "revoked";
    private static readonly string OperatorA = OperatorId(1);
    private static readonly string OperatorB = OperatorId(2);

    private static readonly Expect Ok = new(StatusCode.OK, null);
    private static readonly Expect Unauth = new(StatusCode.Unauthenticated, "UNAUTHENTICATED");
    private static readonly Expect Denied = new(StatusCode.PermissionDenied, "PERMISSION_DENIED");
    private static readonly Expect NotServed = new(StatusCode.Unimplemented, null);
    private static readonly Expect NotAssignee = new(StatusCode.FailedPrecondition, "NOT_ASSIGNEE");
    private static readonly Expect HeldByA = new(StatusCode.FailedPrecondition, "ALREADY_ASSIGNED");

    private static readonly string[] Callers = ["no token", "bad token", "revoked", "intake", "operator A", "operator B", "supervisor", "admin"];

    /// <summary>The policy: one row per RPC, one column per caller in the order of <see cref="Callers"/>.</summary>
    private static readonly Dictionary<string, Expect[]> Policy = new(StringComparer.Ordinal)
    {
        ["/hotline.v1.IntakeService/SubmitRequest"] = [Unauth, Unauth, Unauth, Ok, Ok, Ok, Ok, Ok],
        ["/hotline.v1.OperatorService/WhoAmI"] = [Unauth, Unauth, Unauth, Ok, Ok, Ok, Ok, Ok],
        ["/hotline.v1.OperatorService/ListOperators"] = [Unauth, Unauth, Unauth, Denied, Ok, Ok, Ok, Ok],
        ["/hotline.v1.RequestService/GetRequest"] = [Unauth, Unauth, Unauth, Denied, Ok, Ok, Ok, Ok],
        ["/hotline.v1.RequestService/ListRequests"] = [Unauth, Unauth, Unauth, Denied, Ok, Ok, Ok, Ok],
        ["/hotline.v1.RequestService/WatchRequests"] = [Unauth, Unauth, Unauth, Denied, Ok, Ok, Ok, Ok],
        ["/hotline.v1.RequestService/AssignRequest"] = [Unauth, Unauth, Unauth, Denied, Ok, HeldByA, Ok, Ok],
        ["/hotline.v1.RequestService/ReleaseRequest"] = [Unauth, Unauth, Unauth, Denied, Ok, NotAssignee, Ok, Ok],
        ["/hotline.v1.RequestService/SetFollowUp"] = [Unauth, Unauth, Unauth, Denied, Ok, Denied, Ok, Ok],
        ["/hotline.v1.RequestService/AddNote"] = [Unauth, Unauth, Unauth, Denied, Ok, Ok, Ok, Ok],
        ["/hotline.v1.RequestService/UpdateRequest"] = [Unauth, Unauth, Unauth, Denied, Ok, NotAssignee, Ok, Ok],
        ["/hotline.v1.RequestService/CloseRequest"] = [Unauth, Unauth, Unauth, Denied, Ok, NotAssignee, Ok, Ok],
        ["/hotline.v1.RequestService/ReopenRequest"] = [Unauth, Unauth, Unauth, Denied, Ok, Denied, Ok, Ok],
        ["/hotline.v1.RequestService/ListRelatedRequests"] = [Unauth, Unauth, Unauth, Denied, Ok, Ok, Ok, Ok],
        ["/hotline.v1.AuditService/ListAuditEvents"] = [Unauth, Unauth, Unauth, Denied, Denied, Denied, Ok, Ok],
        ["/hotline.v1.AuditService/VerifyAuditChain"] = [Unauth, Unauth, Unauth, Denied, Denied, Denied, Ok, Ok],
        ["/hotline.v1.StatsService/GetQueueStats"] = [Unauth, Unauth, Unauth, Denied, Denied, Denied, Ok, Ok],
        ["/hotline.v1.StatsService/GetMonitoringReport"] = [Unauth, Unauth, Unauth, Denied, Denied, Denied, Ok, Ok],
        ["/hotline.v1.AdminService/AddOperator"] = [NotServed, NotServed, NotServed, NotServed, NotServed, NotServed, NotServed, NotServed],
        ["/hotline.v1.AdminService/ListOperatorAccounts"] = [NotServed, NotServed, NotServed, NotServed, NotServed, NotServed, NotServed, NotServed],
        ["/hotline.v1.AdminService/SetOperatorDisabled"] = [NotServed, NotServed, NotServed, NotServed, NotServed, NotServed, NotServed, NotServed],
        ["/hotline.v1.AdminService/RotateOperatorToken"] = [NotServed, NotServed, NotServed, NotServed, NotServed, NotServed, NotServed, NotServed],
        ["/hotline.v1.AdminService/Lockdown"] = [NotServed, NotServed, NotServed, NotServed, NotServed, NotServed, NotServed, NotServed],
        ["/hotline.v1.AdminService/Unlock"] = [NotServed, NotServed, NotServed, NotServed, NotServed, NotServed, NotServed, NotServed],
        ["/hotline.v1.AdminService/VerifyAudit"] = [NotServed, NotServed, NotServed, NotServed, NotServed, NotServed, NotServed, NotServed],
        ["/hotline.v1.AdminService/PurgeRequests"] = [NotServed, NotServed, NotServed, NotServed, NotServed, NotServed, NotServed, NotServed],
        ["/hotline.v1.AdminService/ProduceMonitoringReport"] = [NotServed, NotServed, NotServed, NotServed, NotServed, NotServed, NotServed, NotServed],
        ["/hotline.v1.AdminService/CreateBackup"] = [NotServed, NotServed, NotServed, NotServed, NotServed, NotServed, NotServed, NotServed],
        ["/hotline.v1.AdminService/ExportPurgeLog"] = [NotServed, NotServed, NotServed, NotServed, NotServed, NotServed, NotServed, NotServed],
        ["/grpc.health.v1.Health/Check"] = [Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok],
        // Last: it revokes the token of every caller it succeeds for.
        ["/hotline.v1.OperatorService/EndMySession"] = [Unauth, Unauth, Unauth, Denied, Ok, Ok, Ok, Ok],
    };

    [Fact]
    public void Policy_CoversEveryRpcOfTheContract()
    {
        var contract = new[] { IntakeService.Descriptor, RequestService.Descriptor, OperatorService.Descriptor, AdminService.Descriptor, AuditService.Descriptor, StatsService.Descriptor }
            .SelectMany(s => s.Methods).Select(AccessPolicy.PathOf).ToHashSet();
        Assert.Empty(contract.Except(Policy.Keys));
        Assert.Empty(AccessPolicy.Methods.Keys.Where(m => m.StartsWith("/hotline.", StringComparison.Ordinal)).Except(Policy.Keys));
    }

    [Fact]
    public async Task EveryRpc_ForEveryCaller_MatchesThePolicy()
    {
        await using var server = await StartAsync();
        var directory = server.Services.GetRequiredService<OperatorDirectory>();
        await directory.ExecuteAsync(new Domain.AddOperatorCommand(Revoked, "Revoked", Domain.Role.Operator, Domain.AccessTokens.Hash(TokenOf(Revoked))), CancellationToken.None).DefaultTimeout();
        await directory.ExecuteAsync(new Domain.ReplaceTokenCommand(Revoked, null), CancellationToken.None).DefaultTimeout();
        var calls = Calls(server);
        var mismatches = new List<string>();
        foreach (var (method, expected) in Policy)
        {
            var row = new List<string>();
            for (var c = 0; c < Callers.Length; c++)
            {
                var actual = await calls[method](Options(Callers[c]));
                row.Add(actual.ToString());
                if (actual != expected[c])
                {
                    mismatches.Add($"{method} as {Callers[c]}: expected {expected[c]}, got {actual}");
                }
            }
            output.WriteLine($"{method,-45} {string.Join(" | ", row)}");
        }
        Assert.Empty(mismatches);
    }

    private static CallOptions Options(string caller)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        return caller switch
        {
            "no token" => new CallOptions(deadline: deadline),
            "bad token" => new CallOptions(new Metadata { { "authorization", "Bearer " + Domain.AccessTokens.New() } }, deadline),
            "revoked" => As(Revoked),
            "intake" => As(Intake),
            "operator A" => As(OperatorA),
            "operator B" => As(OperatorB),
            "supervisor" => As(Supervisor),
            "admin" => As(Administrator),
            _ => throw new ArgumentOutOfRangeException(nameof(caller)),
        };
    }

    private static Dictionary<string, Func<CallOptions, Task<Expect>>> Calls(HotlineTestServer server)
    {
        var requests = server.Requests;
        var admin = new AdminService.AdminServiceClient(server.Channel);
        var audit = new AuditService.AuditServiceClient(server.Channel);
        var stats = new StatsService.StatsServiceClient(server.Channel);
        async Task<string> HeldByOperatorA()
        {
            var name = (await server.SubmitAsync()).Name;
            await requests.AssignRequestAsync(new AssignRequestRequest { Name = name }, As(OperatorA)).ResponseAsync.DefaultTimeout();
            return name;
        }
        async Task<string> ClosedByOperatorA()
        {
            var name = await HeldByOperatorA();
            await requests.CloseRequestAsync(new CloseRequestRequest { Name = name, Resolution = Resolution.Referred }, As(OperatorA)).ResponseAsync.DefaultTimeout();
            return name;
        }
        return new(StringComparer.Ordinal)
        {
            ["/hotline.v1.IntakeService/SubmitRequest"] = o => Outcome(() => server.Intakes.SubmitRequestAsync(new SubmitRequestRequest
            {
                RequestId = Guid.NewGuid().ToString(),
                Channel = Channel.Phone,
                Message = "matrix",
            }, o).ResponseAsync),
            ["/hotline.v1.OperatorService/WhoAmI"] = o => Outcome(() => server.Operators.WhoAmIAsync(new WhoAmIRequest(), o).ResponseAsync),
            ["/hotline.v1.OperatorService/ListOperators"] = o => Outcome(() => server.Operators.ListOperatorsAsync(new ListOperatorsRequest(), o).ResponseAsync),
            ["/hotline.v1.OperatorService/EndMySession"] = o => Outcome(() => server.Operators.EndMySessionAsync(new EndMySessionRequest(), o).ResponseAsync),
            ["/hotline.v1.RequestService/GetRequest"] = async o =>
            {
                var name = await HeldByOperatorA();
                return await Outcome(() => requests.GetRequestAsync(new GetRequestRequest { Name = name }, o).ResponseAsync);
            },
            ["/hotline.v1.RequestService/ListRequests"] = o => Outcome(() => requests.ListRequestsAsync(new ListRequestsRequest(), o).ResponseAsync),
            ["/hotline.v1.RequestService/ListRelatedRequests"] = async o =>
            {
                var name = await HeldByOperatorA();
                return await Outcome(() => requests.ListRelatedRequestsAsync(new ListRelatedRequestsRequest { Name = name }, o).ResponseAsync);
            },
            ["/hotline.v1.AuditService/ListAuditEvents"] = o => Outcome(() => audit.ListAuditEventsAsync(new ListAuditEventsRequest(), o).ResponseAsync),
            ["/hotline.v1.AuditService/VerifyAuditChain"] = o => Outcome(() => audit.VerifyAuditChainAsync(new VerifyAuditChainRequest(), o).ResponseAsync),
            ["/hotline.v1.StatsService/GetQueueStats"] = o => Outcome(() => stats.GetQueueStatsAsync(new GetQueueStatsRequest(), o).ResponseAsync),
            ["/hotline.v1.StatsService/GetMonitoringReport"] = o => Outcome(() => stats.GetMonitoringReportAsync(new GetMonitoringReportRequest
            {
                StartDate = "2026-01-01",
                EndDate = "2026-12-31",
                Period = ReportPeriod.Month,
            }, o).ResponseAsync),
            ["/hotline.v1.RequestService/WatchRequests"] = o => Outcome(async () =>
            {
                using var call = requests.WatchRequests(new WatchRequestsRequest(), o);
                if (!await call.ResponseStream.MoveNext(CancellationToken.None))
                {
                    throw new InvalidOperationException("The watch ended without a message.");
                }
            }),
            ["/hotline.v1.RequestService/AssignRequest"] = async o =>
            {
                var name = await HeldByOperatorA();
                return await Outcome(() => requests.AssignRequestAsync(new AssignRequestRequest { Name = name }, o).ResponseAsync);
            },
            ["/hotline.v1.RequestService/ReleaseRequest"] = async o =>
            {
                var name = await HeldByOperatorA();
                return await Outcome(() => requests.ReleaseRequestAsync(new ReleaseRequestRequest { Name = name }, o).ResponseAsync);
            },
            ["/hotline.v1.RequestService/SetFollowUp"] = async o =>
            {
                var name = await HeldByOperatorA();
                return await Outcome(() => requests.SetFollowUpAsync(new SetFollowUpRequest
                {
                    Name = name,
                    DueTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(1)),
                    Reason = "matrix",
                }, o).ResponseAsync);
            },
            ["/hotline.v1.RequestService/AddNote"] = async o =>
            {
                var name = await HeldByOperatorA();
                return await Outcome(() => requests.AddNoteAsync(new AddNoteRequest { Name = name, Text = "matrix" }, o).ResponseAsync);
            },
            ["/hotline.v1.RequestService/UpdateRequest"] = async o =>
            {
                var name = await HeldByOperatorA();
                return await Outcome(() => requests.UpdateRequestAsync(new UpdateRequestRequest
                {
                    Request = new HelpRequest { Name = name, Urgency = Urgency.Urgent },
                    UpdateMask = new FieldMask { Paths = { "urgency" } },
                }, o).ResponseAsync);
            },
            ["/hotline.v1.RequestService/CloseRequest"] = async o =>
            {
                var name = await HeldByOperatorA();
                return await Outcome(() => requests.CloseRequestAsync(new CloseRequestRequest { Name = name, Resolution = Resolution.Referred }, o).ResponseAsync);
            },
            ["/hotline.v1.RequestService/ReopenRequest"] = async o =>
            {
                var name = await ClosedByOperatorA();
                return await Outcome(() => requests.ReopenRequestAsync(new ReopenRequestRequest { Name = name }, o).ResponseAsync);
            },
            ["/hotline.v1.AdminService/AddOperator"] = o => Outcome(() => admin.AddOperatorAsync(
                new AddOperatorRequest { Id = "intruder", DisplayName = "Intruder", Role = OperatorRole.Admin }, o).ResponseAsync),
            ["/hotline.v1.AdminService/ListOperatorAccounts"] = o => Outcome(() => admin.ListOperatorAccountsAsync(new ListOperatorAccountsRequest(), o).ResponseAsync),
            ["/hotline.v1.AdminService/SetOperatorDisabled"] = o => Outcome(() => admin.SetOperatorDisabledAsync(
                new SetOperatorDisabledRequest { Name = "operators/" + OperatorA, Disabled = true }, o).ResponseAsync),
            ["/hotline.v1.AdminService/RotateOperatorToken"] = o => Outcome(() => admin.RotateOperatorTokenAsync(
                new RotateOperatorTokenRequest { Name = "operators/" + OperatorA }, o).ResponseAsync),
            ["/hotline.v1.AdminService/Lockdown"] = o => Outcome(() => admin.LockdownAsync(new LockdownRequest(), o).ResponseAsync),
            ["/hotline.v1.AdminService/Unlock"] = o => Outcome(() => admin.UnlockAsync(
                new UnlockRequest { MasterKey = Google.Protobuf.ByteString.CopyFromUtf8("guess") }, o).ResponseAsync),
            ["/hotline.v1.AdminService/VerifyAudit"] = o => Outcome(() => admin.VerifyAuditAsync(new VerifyAuditRequest(), o).ResponseAsync),
            ["/hotline.v1.AdminService/PurgeRequests"] = async o =>
            {
                var name = (await server.SubmitAsync()).Name;
                return await Outcome(() => admin.PurgeRequestsAsync(new PurgeRequestsRequest { Names = { name } }, o).ResponseAsync);
            },
            ["/hotline.v1.AdminService/ProduceMonitoringReport"] = o => Outcome(() => admin.ProduceMonitoringReportAsync(new ProduceMonitoringReportRequest(), o).ResponseAsync),
            ["/hotline.v1.AdminService/CreateBackup"] = o => Outcome(async () =>
            {
                using var call = admin.CreateBackup(new CreateBackupRequest(), o);
                await call.ResponseStream.MoveNext(CancellationToken.None);
            }),
            ["/hotline.v1.AdminService/ExportPurgeLog"] = o => Outcome(async () =>
            {
                using var call = admin.ExportPurgeLog(new ExportPurgeLogRequest(), o);
                await call.ResponseStream.MoveNext(CancellationToken.None);
            }),
            ["/grpc.health.v1.Health/Check"] = o => Outcome(() => new Health.HealthClient(server.Channel).CheckAsync(new HealthCheckRequest(), o).ResponseAsync),
        };
    }

    private static async Task<Expect> Outcome(Func<Task> call)
    {
        try
        {
            await call().DefaultTimeout();
            return Ok;
        }
        catch (RpcException ex)
        {
            var reason = ex.GetRpcStatus()?.GetDetail<Google.Rpc.ErrorInfo>()?.Reason;
            return new Expect(ex.StatusCode, ex.StatusCode == StatusCode.Unimplemented ? null : reason);
        }
    }

    private sealed record Expect(StatusCode Code, string? Reason)
    {
        public override string ToString() => Reason is null ? Code.ToString() : $"{Code} {Reason}";
    }
}
