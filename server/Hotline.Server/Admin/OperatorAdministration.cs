using Hotline.Domain;
using Hotline.Server.Access;

namespace Hotline.Server.Admin;

/// <summary>
/// Managing people and their tokens: what the admin socket and the command line on a stopped
/// server both run. A token is created here, returned once, and only its hash goes further.
/// </summary>
public sealed class OperatorAdministration(OperatorDirectory directory, ILogger<OperatorAdministration> logger)
{
    public IReadOnlyList<OperatorRecord> List() => directory.Records;

    public async Task<IssuedToken> AddAsync(string id, string displayName, Role role, CancellationToken cancellationToken)
    {
        var token = AccessTokens.New();
        var (record, _) = await directory.ExecuteAsync(new AddOperatorCommand(id, displayName, role, AccessTokens.Hash(token)), cancellationToken);
        ServerLog.OperatorChanged(logger, "added " + role.ToString().ToLowerInvariant(), id, 0);
        return new IssuedToken(record, token, 0);
    }

    public async Task<(OperatorRecord Record, int EndedSessions)> SetDisabledAsync(string id, bool disabled, CancellationToken cancellationToken)
    {
        var result = await directory.ExecuteAsync(new SetDisabledCommand(id, disabled), cancellationToken);
        ServerLog.OperatorChanged(logger, disabled ? "disabled" : "enabled", id, result.EndedSessions);
        return result;
    }

    public async Task<IssuedToken> RotateAsync(string id, CancellationToken cancellationToken)
    {
        var token = AccessTokens.New();
        var (record, ended) = await directory.ExecuteAsync(new ReplaceTokenCommand(id, AccessTokens.Hash(token)), cancellationToken);
        ServerLog.OperatorChanged(logger, "rotated the token of", id, ended);
        return new IssuedToken(record, token, ended);
    }
}

/// <summary>An account and the token just issued for it; the only moment the token exists outside its holder.</summary>
public sealed record IssuedToken(OperatorRecord Record, string Token, int EndedSessions)
{
    // Records print their members; this one must never print the token.
    public override string ToString() => $"token for operators/{Record.Id}";
}
