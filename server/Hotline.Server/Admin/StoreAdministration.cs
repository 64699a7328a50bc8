using Hotline.Domain;

namespace Hotline.Server.Admin;

/// <summary>
/// Purging requests and checking the audit chain on an admin's demand, in domain terms; see
/// <see cref="Administration"/> for the contract side. Purges are recorded in the audit trail as
/// <see cref="OperatorCommand.AdministratorActor"/>; nothing here reads sealed fields.
/// </summary>
public sealed class StoreAdministration(IRequestStore store, IAuditTrail audit, IKeyVault vault, ILogger<StoreAdministration> logger)
{
    public const int MaxNames = 1_000;

    /// <summary>
    /// Purges every named request that exists (reporting the others), then those closed before
    /// <paramref name="closedBefore"/>; with <paramref name="validateOnly"/> only says what it would purge.
    /// Refused as a whole, before anything changes, during a lockdown.
    /// </summary>
    /// <param name="ids">Request ids, already parsed from their names.</param>
    public async Task<PurgeOutcome> PurgeAsync(IReadOnlyList<string> ids, DateTimeOffset? closedBefore, bool validateOnly, CancellationToken cancellationToken)
    {
        if (ids.Count == 0 && closedBefore is null)
        {
            DomainException.ThrowInvalid("names", "name at least one request, or set closed_before");
        }
        if (ids.Count > MaxNames)
        {
            DomainException.ThrowInvalid("names", $"at most {MaxNames} per call");
        }
        if (vault.IsLocked)
        {
            // Destroying a data key is sealed work like any other change; a preview that then fails would mislead.
            throw DomainException.LockedDown(write: false);
        }
        var purged = new List<RequestOutline>();
        var notFound = new List<string>();
        foreach (var id in ids.Distinct(StringComparer.Ordinal))
        {
            var outline = await store.OutlineAsync(id, cancellationToken);
            if (outline is null || (!validateOnly && !await store.PurgeAsync(id, OperatorCommand.AdministratorActor, cancellationToken)))
            {
                notFound.Add(id);
                continue;
            }
            purged.Add(outline);
        }
        if (!validateOnly && ids.Count > 0)
        {
            ServerLog.AdminPurged(logger, purged.Count, string.Join(' ', purged.Select(p => p.Id)), notFound.Count);
        }
        var closedCount = 0;
        if (closedBefore is { } cutoff)
        {
            if (validateOnly)
            {
                closedCount = await store.CountClosedBeforeAsync(cutoff, cancellationToken);
            }
            else
            {
                closedCount = await store.PurgeClosedBeforeAsync(cutoff, OperatorCommand.AdministratorActor, cancellationToken);
                ServerLog.AdminPurgedClosed(logger, closedCount, cutoff);
            }
        }
        return new PurgeOutcome(purged, notFound, closedCount);
    }

    /// <summary>
    /// Checks the chain with the keys in memory, or with <paramref name="masterKey"/> when one is
    /// given (needed while locked down, which it leaves in place).
    /// </summary>
    public async Task<AuditCheck> VerifyAuditAsync(ReadOnlyMemory<byte> masterKey, CancellationToken cancellationToken)
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
        return new AuditCheck(result, locked);
    }
}

/// <summary>What a purge did (or, validating only, would do).</summary>
/// <param name="NotFound">Ids that matched no request: never existed, or already purged.</param>
public sealed record PurgeOutcome(IReadOnlyList<RequestOutline> Purged, IReadOnlyList<string> NotFound, int ClosedBeforeCount);

/// <summary>An audit chain check, and whether the installation was locked down while it ran.</summary>
public sealed record AuditCheck(AuditVerification Verification, bool Locked);
