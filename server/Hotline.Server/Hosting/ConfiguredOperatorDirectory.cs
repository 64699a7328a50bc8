using System.Text.RegularExpressions;
using Hotline.Domain;
using Microsoft.Extensions.Options;

namespace Hotline.Server.Hosting;

/// <summary>Operators read from configuration; checked once at start so a typo fails loudly instead of locking someone out.</summary>
public sealed partial class ConfiguredOperatorDirectory : IOperatorDirectory
{
    private readonly Dictionary<string, OperatorAccount> _byId;
    private readonly IReadOnlyList<OperatorAccount> _all;

    public ConfiguredOperatorDirectory(IOptions<HotlineOptions> options)
    {
        _byId = new Dictionary<string, OperatorAccount>(StringComparer.Ordinal);
        foreach (var entry in options.Value.Operators)
        {
            if (!OperatorIdPattern().IsMatch(entry.Id))
            {
                throw new InvalidOperationException(
                    $"Configured operator id '{entry.Id}' is invalid: use 1 to 40 characters of a-z 0-9 . _ -.");
            }
            if (entry.Role == Role.Unspecified || !Enum.IsDefined(entry.Role))
            {
                throw new InvalidOperationException($"Configured operator '{entry.Id}' needs a role: Intake, Operator, Supervisor or Admin.");
            }
            var name = string.IsNullOrWhiteSpace(entry.DisplayName) ? entry.Id : entry.DisplayName.Trim();
            if (!_byId.TryAdd(entry.Id, new OperatorAccount(entry.Id, name, entry.Role, entry.Disabled)))
            {
                throw new InvalidOperationException($"Operator '{entry.Id}' is configured twice.");
            }
        }
        _all = [.. _byId.Values.OrderBy(o => o.Id, StringComparer.Ordinal)];
    }

    public OperatorAccount? Find(string operatorId) => _byId.GetValueOrDefault(operatorId);

    public IReadOnlyList<OperatorAccount> All() => _all;

    [GeneratedRegex("^[a-z0-9._-]{1,40}$")]
    private static partial Regex OperatorIdPattern();
}
