using System.Globalization;
using Hotline.Contract.V1;

namespace Hotline.Server.Admin;

/// <summary>How the admin command line words what the administration answered: one sentence or table per answer, never a token except the one just issued.</summary>
internal static class AdminReport
{
    public static string ProblemName(Contract.V1.AuditChainProblem problem) => problem switch
    {
        Contract.V1.AuditChainProblem.RecordAltered => "record altered",
        Contract.V1.AuditChainProblem.RecordMissing => "record missing",
        Contract.V1.AuditChainProblem.ChainBroken => "chain broken",
        Contract.V1.AuditChainProblem.ChainTruncated => "chain truncated",
        _ => "unknown problem",
    };

    public static string Describe(PurgedRequest request)
    {
        var closed = request.CloseTime is null
            ? "not closed"
            : "closed " + request.CloseTime.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";
        return string.Create(CultureInfo.InvariantCulture,
            $"{request.Name} (number {request.Number}, {StateName(request.State)}, submitted {request.CreateTime.ToDateTimeOffset():yyyy-MM-dd HH:mm} UTC, {closed})");
    }

    public static string StateName(Contract.V1.RequestState state) => state.ToString().ToLowerInvariant();

    public static async Task HandOverAsync(string token, string? tokenFile, TextWriter output)
    {
        if (tokenFile is null)
        {
            await output.WriteLineAsync("Token (shown only now; the server keeps only its hash; give it to its holder over a safe channel):");
            await output.WriteLineAsync("  " + token);
            return;
        }
        TokenFile.Write(tokenFile, token);
        await output.WriteLineAsync($"Token written to {Path.GetFullPath(tokenFile)} (readable by its owner only).");
    }

    public static string Describe(Contract.V1.OperatorAccount account) =>
        $"{account.Operator.Name} \"{account.Operator.DisplayName}\" ({RoleName(account.Operator.Role)})";

    public static string FormatList(IReadOnlyCollection<Contract.V1.OperatorAccount> accounts)
    {
        if (accounts.Count == 0)
        {
            return "No accounts yet.";
        }
        var rows = accounts.Select(a => new[]
        {
            a.Operator.Name,
            a.Operator.DisplayName,
            RoleName(a.Operator.Role),
            a.Operator.Disabled ? "disabled" : "enabled",
            a.HasToken ? "yes" : "none",
            a.CreateTime.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
            a.RotateTime is null ? "-" : a.RotateTime.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
        }).Prepend(["NAME", "DISPLAY NAME", "ROLE", "STATE", "TOKEN", "CREATED (UTC)", "ROTATED (UTC)"]).ToList();
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        return string.Join('\n', rows.Select(r => string.Join("  ", r.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd()));
    }

    public static string RoleName(OperatorRole role) => role switch
    {
        OperatorRole.Intake => "intake",
        OperatorRole.Operator => "operator",
        OperatorRole.Supervisor => "supervisor",
        OperatorRole.Admin => "admin",
        _ => "unspecified",
    };
}
