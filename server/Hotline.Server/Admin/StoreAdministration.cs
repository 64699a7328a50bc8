using Hotline.Contract.V1;
using Hotline.Domain;
using Hotline.Server.Mapping;

namespace Hotline.Server.Admin;

/// <summary>
/// Purging requests and checking the audit chain on an admin's demand: what the admin socket and
/// the command line on a stopped server both run. Purges are recorded in the audit trail as
/// <see cref="OperatorCommand.AdministratorActor"/>; nothing here reads sealed fields.
/// </summary>
public sealed class StoreAdministration(IRequestStore store, IAuditTrail audit, IKeyVault vault, ILogger<StoreAdministration> logger)
{
    public const int MaxNames = 1_000;

    /// <summary>
    /// Purges every named request that exists (reporting the others), then those closed before the
    /// cutoff; with <see cref="PurgeRequestsRequest.ValidateOnly"/> only says what it would purge.
    /// Refused as a whole, before anything changes, for a malformed name or during a lockdown.
    /// </summary>
    public async Task<PurgeRequestsResponse> PurgeAsync(PurgeRequestsRequest request, CancellationToken cancellationToken)
    {
        if (request.Names.Count == 0 && request.ClosedBefore is null)
        {
            DomainException.ThrowInvalid("names", "name at least one request, or set closed_before");
        }
        if (request.Names.Count > MaxNames)
        {
            DomainException.ThrowInvalid("names", $"at most {MaxNames} per call");
        }
        var ids = request.Names.Select((name, i) => ContractMapping.ParseRequestName(name, $"names[{i}]")).Distinct(StringComparer.Ordinal).ToList();
        if (vault.IsLocked)
        {
            // Destroying a data key is sealed work like any other change; a preview that then fails would mislead.
            throw DomainException.LockedDown(write: false);
        }
        var response = new PurgeRequestsResponse();
        var purged = new List<string>();
        foreach (var id in ids)
        {
            var outline = await store.OutlineAsync(id, cancellationToken);
            if (outline is null || (!request.ValidateOnly && !await store.PurgeAsync(id, OperatorCommand.AdministratorActor, cancellationToken)))
            {
                response.NotFound.Add(ContractMapping.RequestName(id));
                continue;
            }
            response.Requests.Add(ContractMapping.ToContract(outline));
            purged.Add(id);
        }
        if (!request.ValidateOnly && ids.Count > 0)
        {
            ServerLog.AdminPurged(logger, purged.Count, string.Join(' ', purged), response.NotFound.Count);
        }
        if (request.ClosedBefore is { } closedBefore)
        {
            var cutoff = closedBefore.ToDateTimeOffset();
            if (request.ValidateOnly)
            {
                response.ClosedBeforeCount = await store.CountClosedBeforeAsync(cutoff, cancellationToken);
            }
            else
            {
                response.ClosedBeforeCount = await store.PurgeClosedBeforeAsync(cutoff, OperatorCommand.AdministratorActor, cancellationToken);
                ServerLog.AdminPurgedClosed(logger, response.ClosedBeforeCount, cutoff);
            }
        }
        return response;
    }

    /// <summary>
    /// Checks the chain with the keys in memory, or with <paramref name="masterKey"/> when one is
    /// given (needed while locked down, which it leaves in place).
    /// </summary>
    public async Task<VerifyAuditResponse> VerifyAuditAsync(ReadOnlyMemory<byte> masterKey, CancellationToken cancellationToken)
    {
        var locked = vault.IsLocked;
        var result = masterKey.IsEmpty
            ? await audit.VerifyAuditAsync(cancellationToken)
            : await audit.VerifyAuditAsync(masterKey, cancellationToken);
        if (result.Intact)
        {
            ServerLog.AuditIntact(logger, result.RecordsChecked);
        }
        else
        {
            ServerLog.AuditBroken(logger, result.Position, result.Problem.ToString(), result.Detail);
        }
        return new VerifyAuditResponse
        {
            Verification = ContractMapping.ToContract(result),
            Locked = locked,
            AccountChangesAwaitingUnlock = result.AccountChangesAwaitingUnlock,
        };
    }
}
