using Grpc.Health.V1;
using Hotline.Contract.V1;
using Hotline.Domain;
using MethodDescriptor = Google.Protobuf.Reflection.MethodDescriptor;
using ServerReflection = Grpc.Reflection.V1Alpha.ServerReflection;
using ServerReflectionV1 = Grpc.Reflection.V1.ServerReflection;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace Hotline.Server.Access;

/// <summary>Who may call a method.</summary>
public abstract record MethodAccess
{
    /// <summary>Anyone, without a token: health checks and reflection, which reveal nothing the protos do not.</summary>
    public sealed record Public : MethodAccess;

    /// <summary>Only on the owner-only admin socket, where the filesystem is the authentication; never on TCP.</summary>
    public sealed record AdminSocket : MethodAccess;

    /// <summary>Authenticated callers with one of these roles.</summary>
    public sealed record Roles(IReadOnlySet<Role> Allowed) : MethodAccess
    {
        /// <summary>The weakest role allowed, named in PERMISSION_DENIED.</summary>
        public Role Lowest => Allowed.Min();
    }
}

/// <summary>
/// The one table of who may call which method. A method missing from it is refused, so a new
/// RPC is closed until someone decides who may call it. Per-object rules (who may release a
/// held request, who sees a full contact handle) live in the domain, next to the state they judge.
/// </summary>
public static class AccessPolicy
{
    private static readonly MethodAccess Everyone = new MethodAccess.Roles(new HashSet<Role> { Role.Intake, Role.Operator, Role.Supervisor, Role.Admin });
    private static readonly MethodAccess OperatorsAndAbove = new MethodAccess.Roles(new HashSet<Role> { Role.Operator, Role.Supervisor, Role.Admin });
    private static readonly MethodAccess SupervisorsAndAbove = new MethodAccess.Roles(new HashSet<Role> { Role.Supervisor, Role.Admin });

    public static IReadOnlyDictionary<string, MethodAccess> Methods { get; } = Build();

    /// <summary>The rule for a gRPC method path (`/package.Service/Method`); null when it has none and must be refused.</summary>
    public static MethodAccess? For(string method) => Methods.GetValueOrDefault(method);

    public static string PathOf(MethodDescriptor method) => "/" + method.Service.FullName + "/" + method.Name;

    private static Dictionary<string, MethodAccess> Build()
    {
        var table = new Dictionary<string, MethodAccess>(StringComparer.Ordinal);
        void Set(ServiceDescriptor service, string method, MethodAccess access) =>
            table.Add(PathOf(service.FindMethodByName(method) ?? throw new InvalidOperationException($"{service.FullName} has no method {method}.")), access);
        void SetAll(ServiceDescriptor service, MethodAccess access)
        {
            foreach (var method in service.Methods)
            {
                table.Add(PathOf(method), access);
            }
        }

        // Intake integrations submit and may check their own key with WhoAmI; they read nothing else.
        Set(IntakeService.Descriptor, "SubmitRequest", Everyone);
        Set(OperatorService.Descriptor, "WhoAmI", Everyone);
        Set(OperatorService.Descriptor, "ListOperators", OperatorsAndAbove);
        Set(OperatorService.Descriptor, "EndMySession", OperatorsAndAbove);
        SetAll(RequestService.Descriptor, OperatorsAndAbove);
        SetAll(AuditService.Descriptor, SupervisorsAndAbove);
        // Who holds how much and who is online is supervision; the report is the organisation's to publish.
        SetAll(StatsService.Descriptor, SupervisorsAndAbove);
        SetAll(AdminService.Descriptor, new MethodAccess.AdminSocket());
        SetAll(Health.Descriptor, new MethodAccess.Public());
        SetAll(ServerReflection.Descriptor, new MethodAccess.Public());
        SetAll(ServerReflectionV1.Descriptor, new MethodAccess.Public());
        return table;
    }
}
