using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Hotline.Domain;

/// <summary>
/// A person or integration as stored: the account and the hash of its one current token.
/// One token per account keeps revocation simple: rotating issues a new one and the old one stops
/// working at once; ending a session (the console's panic key) leaves the account without a token
/// until an admin rotates it.
/// </summary>
public sealed record OperatorRecord
{
    public required OperatorAccount Account { get; init; }

    /// <summary>SHA-256 of the current token; null when the account has none (its token was revoked).</summary>
    public byte[]? TokenHash { get; init; }

    public required DateTimeOffset CreateTime { get; init; }

    /// <summary>When the token was last replaced or revoked; null if it is the one issued at creation.</summary>
    public DateTimeOffset? RotateTime { get; init; }

    /// <summary>Raised by every stored change, so a cache can ignore a change that reaches it after a newer one.</summary>
    public long Version { get; init; }

    public string Id => Account.Id;

    /// <summary>
    /// True when requests should be offered to this account: a person (operator or above), enabled,
    /// and holding a token. One without a token (revoked by the panic key or an admin) cannot sign
    /// in to see what it is given until an admin issues a new one.
    /// </summary>
    public bool TakesWork => Account.Role >= Role.Operator && !Account.Disabled && TokenHash is not null;

    /// <summary>True when a caller presenting a token with <paramref name="tokenHash"/> is this account, enabled.</summary>
    public bool Accepts(ReadOnlySpan<byte> tokenHash) =>
        !Account.Disabled && TokenHash is { } own && CryptographicOperations.FixedTimeEquals(own, tokenHash);
}

/// <summary>
/// A change to one account, decided by the store's single writer against the stored record, like
/// <see cref="RequestCommand"/>. <see cref="Apply"/> returns the current record itself when
/// there is nothing to change, and the store then writes nothing.
/// </summary>
public abstract partial record OperatorCommand(string OperatorId)
{
    public const int MaxDisplayNameLength = 80;

    /// <summary>
    /// Who the audit trail names for changes made on the server's own machine (its command line and
    /// admin socket), which carry no token and so no account.
    /// </summary>
    public const string AdministratorActor = "admin";

    /// <summary>Who makes the change, for the audit trail: <see cref="AdministratorActor"/> unless an operator acts on their own account.</summary>
    public string Actor { get; init; } = AdministratorActor;

    /// <summary>How the audit trail records the change when it is made.</summary>
    public abstract AuditAction Audited { get; }

    /// <summary>Throws INVALID_ARGUMENT naming each bad field; runs on the caller's thread.</summary>
    public virtual void Validate()
    {
        if (!IsValidId(OperatorId))
        {
            DomainException.ThrowInvalid("id", "must be 1 to 40 characters of a-z 0-9 . _ -");
        }
    }

    public abstract OperatorRecord Apply(OperatorRecord? current, DateTimeOffset now);

    public static bool IsValidId(string id) => OperatorIdPattern().IsMatch(id);

    protected OperatorRecord Existing(OperatorRecord? current) =>
        current ?? throw new DomainException(ErrorKind.NotFound, ErrorReasons.OperatorNotFound,
            $"Operator operators/{OperatorId} does not exist.",
            new Dictionary<string, string> { ["operator"] = "operators/" + OperatorId });

    [GeneratedRegex("^[a-z0-9._-]{1,40}$")]
    private static partial Regex OperatorIdPattern();
}

/// <summary>Creates an account with its first token.</summary>
public sealed record AddOperatorCommand(string OperatorId, string DisplayName, Role Role, byte[] TokenHash) : OperatorCommand(OperatorId)
{
    public override AuditAction Audited => AuditAction.OperatorAdded;

    public override void Validate()
    {
        base.Validate();
        var violations = new List<FieldViolation>();
        Validation.SingleLine(violations, "display_name", DisplayName, MaxDisplayNameLength);
        if (string.IsNullOrWhiteSpace(DisplayName))
        {
            violations.Add(new("display_name", "is required"));
        }
        if (Role == Role.Unspecified || !Enum.IsDefined(Role))
        {
            violations.Add(new("role", "must be intake, operator, supervisor or admin"));
        }
        if (TokenHash.Length != SHA256.HashSizeInBytes)
        {
            violations.Add(new("token", "must be hashed with SHA-256"));
        }
        if (violations.Count > 0)
        {
            DomainException.ThrowInvalid(violations);
        }
    }

    public override OperatorRecord Apply(OperatorRecord? current, DateTimeOffset now)
    {
        if (current is not null)
        {
            throw new DomainException(ErrorKind.AlreadyExists, ErrorReasons.OperatorExists,
                $"Operator operators/{OperatorId} already exists; rotate its token or pick another id.",
                new Dictionary<string, string> { ["operator"] = "operators/" + OperatorId });
        }
        return new OperatorRecord
        {
            Account = new OperatorAccount(OperatorId, DisplayName.Trim(), Role),
            TokenHash = TokenHash,
            CreateTime = now,
            Version = 1,
        };
    }
}

/// <summary>Disables or re-enables an account. A disabled account's token is refused and it cannot be assigned requests.</summary>
public sealed record SetDisabledCommand(string OperatorId, bool Disabled) : OperatorCommand(OperatorId)
{
    public override AuditAction Audited => Disabled ? AuditAction.OperatorDisabled : AuditAction.OperatorEnabled;

    public override OperatorRecord Apply(OperatorRecord? current, DateTimeOffset now)
    {
        var existing = Existing(current);
        return existing.Account.Disabled == Disabled
            ? existing
            : existing with { Account = existing.Account with { Disabled = Disabled }, Version = existing.Version + 1 };
    }
}

/// <summary>
/// Replaces the account's token with <paramref name="NewTokenHash"/> (rotation), or removes it (null).
/// With <paramref name="OnlyIfCurrent"/> set, acts only while that is still the current token: ending
/// one's own session must never revoke a token an admin issued in the meantime.
/// </summary>
public sealed record ReplaceTokenCommand(string OperatorId, byte[]? NewTokenHash, byte[]? OnlyIfCurrent = null) : OperatorCommand(OperatorId)
{
    public override AuditAction Audited => NewTokenHash is null ? AuditAction.OperatorTokenRevoked : AuditAction.OperatorTokenRotated;

    public override void Validate()
    {
        base.Validate();
        if (NewTokenHash is { Length: not SHA256.HashSizeInBytes })
        {
            DomainException.ThrowInvalid("token", "must be hashed with SHA-256");
        }
    }

    public override OperatorRecord Apply(OperatorRecord? current, DateTimeOffset now)
    {
        var existing = Existing(current);
        if (OnlyIfCurrent is not null
            && (existing.TokenHash is null || !CryptographicOperations.FixedTimeEquals(existing.TokenHash, OnlyIfCurrent)))
        {
            return existing;
        }
        return existing with { TokenHash = NewTokenHash, RotateTime = now, Version = existing.Version + 1 };
    }
}

/// <summary>Where accounts are kept. Every method that returns has made its change durable.</summary>
public interface IOperatorStore
{
    Task<IReadOnlyList<OperatorRecord>> ReadOperatorsAsync(CancellationToken cancellationToken);

    /// <summary>Decides <paramref name="command"/> on the store's single writer; throws <see cref="DomainException"/> with nothing changed.</summary>
    Task<OperatorRecord> ExecuteAsync(OperatorCommand command, CancellationToken cancellationToken);
}
