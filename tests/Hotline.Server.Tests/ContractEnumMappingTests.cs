using System.Reflection;
using Google.Protobuf.Reflection;
using Hotline.Domain;
using Hotline.Server.Grpc;
using Hotline.Server.Mapping;
using V1 = Hotline.Contract.V1;

namespace Hotline.Server.Tests;

/// <summary>
/// <see cref="ContractMapping"/> converts between domain and contract enums by numeric cast, which
/// is only right while both sides give every value the same number under the same name (issue 12,
/// item 10). A value added, renumbered or renamed on one side alone fails here instead of turning
/// into a different value on the wire.
/// </summary>
public sealed class ContractEnumMappingTests
{
    /// <summary>Every pair <see cref="ContractMapping"/> casts, in either direction.</summary>
    public static TheoryData<Type, Type> CastPairs => new()
    {
        { typeof(Channel), typeof(V1.Channel) },
        { typeof(Urgency), typeof(V1.Urgency) },
        { typeof(RequestState), typeof(V1.RequestState) },
        { typeof(Resolution), typeof(V1.Resolution) },
        { typeof(Role), typeof(V1.OperatorRole) },
        { typeof(ChangeKind), typeof(V1.ChangeKind) },
        { typeof(AuditAction), typeof(V1.AuditAction) },
        { typeof(AuditChainProblem), typeof(V1.AuditChainProblem) },
        { typeof(ReportPeriod), typeof(V1.ReportPeriod) },
    };

    /// <summary>Values whose names differ on purpose, keyed by domain enum and number.</summary>
    private static readonly Dictionary<(Type Domain, long Number), string> NamedDifferently = new()
    {
        // Proto3 needs a zero value and buf lint wants it named UNSPECIFIED; the proto comment
        // says it means "the chain is intact", which the domain calls None.
        [(typeof(AuditChainProblem), 0)] = "Unspecified",
    };

    /// <summary>Domain enums that never cross the contract, so nothing casts them.</summary>
    private static readonly Dictionary<Type, string> NotOnTheContract = new()
    {
        // Becomes a gRPC status code (DomainException -> RpcException), not an enum field.
        [typeof(ErrorKind)] = "mapped to status codes",
        // The filter and sort of a List call travel as text (AIP-160 filter, order_by) and are parsed by the domain.
        [typeof(FilterField)] = "parsed from the filter text",
        [typeof(SortField)] = "parsed from order_by",
    };

    [Theory]
    [MemberData(nameof(CastPairs))]
    public void CastEnumPair_HasTheSameNumbersUnderTheSameNames(Type domain, Type contract)
    {
        var domainValues = Enum.GetValues(domain).Cast<Enum>()
            .ToDictionary(Convert.ToInt64, value => value.ToString());
        var descriptor = ContractDescriptor(contract);
        var contractValues = descriptor.Values.ToDictionary(value => (long)value.Number, value => value.Name);
        var prefix = descriptor.Values.Single(value => value.Number == 0).Name[..^"UNSPECIFIED".Length];

        Assert.Equal(contractValues.Keys.Order(), domainValues.Keys.Order());
        foreach (var (number, contractName) in contractValues)
        {
            Assert.StartsWith(prefix, contractName, StringComparison.Ordinal);
            var expected = Normalise(contractName[prefix.Length..]);
            var domainName = NamedDifferently.TryGetValue((domain, number), out var exception) ? exception : domainValues[number];
            Assert.True(expected == Normalise(domainName),
                $"{domain.Name}.{domainValues[number]} = {number} but the contract calls {number} {contractName}");
        }
    }

    [Fact]
    public void DomainEnums_AreEitherCastPairsOrListedAsOffTheContract()
    {
        var paired = CastPairs.Select(row => (Type)row[0]).ToHashSet();
        var unaccounted = typeof(Channel).Assembly.GetExportedTypes()
            .Where(type => type.IsEnum && !paired.Contains(type) && !NotOnTheContract.ContainsKey(type))
            .Select(type => type.Name)
            .ToList();

        Assert.Empty(unaccounted);
    }

    /// <summary>The generated enum's .proto descriptor: the names as written in the .proto file.</summary>
    private static EnumDescriptor ContractDescriptor(Type contract) =>
        contract.Assembly.GetTypes()
            .Where(type => type.Namespace == contract.Namespace && type.Name.EndsWith("Reflection", StringComparison.Ordinal))
            .Select(type => (FileDescriptor)type.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!)
            .SelectMany(file => file.EnumTypes)
            .Single(descriptor => descriptor.ClrType == contract);

    /// <summary>`IMMEDIATE_DANGER` and `ImmediateDanger` both become `immediatedanger`.</summary>
    private static string Normalise(string name) => name.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
}
