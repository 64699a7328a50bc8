using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Google.Rpc;
using Grpc.Core;
using Hotline.Contract.V1;
using Hotline.Domain;
using Hotline.Server.Access;
using Hotline.Server.Backup;
using Hotline.Server.Mapping;
using Hotline.Server.Stats;
using Hotline.Server.Store;
using Hotline.Storage;
using Hotline.Storage.Postgres;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;

namespace Hotline.Server.Admin;

/// <summary>
/// `Hotline.Server operators|lockdown|unlock|audit|purge|report|backup|purge-log …`: administration from the server's own machine.
/// With a server running it talks to that server through the admin socket, so a revocation ends
/// open streams at once; with none it opens the data directory itself (taking its lock file, so
/// a server cannot start underneath it). Prints what it did; tokens are printed once, or written
/// to an owner-only file with --token-file.
/// </summary>
public static class AdminCommandLine
{
    public const string Usage = """
        Usage: Hotline.Server <command> [--data-dir DIR] [--Hotline:Key value ...]

          operators add ID --name NAME --role intake|operator|supervisor|admin [--token-file PATH]
                                     create an account and print its token (once)
          operators list             list every account (never tokens)
          operators disable ID       refuse the account's token from the next call on; end its streams
          operators enable ID        allow a disabled account again
          operators rotate ID [--token-file PATH]
                                     issue a new token; the old one stops working at once
          lockdown                   end every session and drop the keys from memory; a running
                                     server then exits (code 10) and its supervisor restarts it locked
          unlock                     end a lockdown (reads the master key as the server does)
          audit verify               check the whole audit chain; says where it breaks, if it does
                                     (while locked down, checks with the master key and stays locked)
          purge ID [ID ...] [--closed-before DAYS] [--yes]
                                     destroy requests for good (requests/ID or ID), and with
                                     --closed-before every request closed more than DAYS days ago;
                                     without --yes, only lists what would be purged
          report --from YYYY-MM-DD --to YYYY-MM-DD [--by month|week] [--k N] [--csv PATH]
                                     monitoring report: counts of requests received in the range by
                                     period x region x tag x channel x urgency x resolution, counts
                                     below k (Hotline:Stats:ReportMinimumCount, 5) withheld as <k;
                                     prints a table, and with --csv writes CSV to PATH (owner-only)
          backup --out FILE          write a sealed backup of the store to FILE (owner-only, never
                                     overwritten) while the server serves; restore it with
                                     `Hotline.Server restore` (run `restore --help`)
          purge-log --out FILE       write the names of every request ever purged to FILE, for a
                                     restore of a backup taken before those purges

        --token-file PATH writes the token to PATH, readable by its owner only, instead of printing it.
        With the server running, commands go through its admin socket (DIR/admin.sock); with it
        stopped, they open DIR directly, or with Hotline:Store postgres the database (as one more
        server would; backup then refuses: use pg_dump, see docs/operations.md). Account changes,
        lockdown, unlock and purges are recorded in the audit trail as operators/admin, and so is
        each report (REPORTED, naming no request).

        Exit codes: 0 done; 1 refused (unknown id, locked down, purge without --yes, ...); 2 usage;
        3 data directory held by a server whose socket does not answer; 4 configuration error;
        5 master key missing or wrong; 8 audit chain broken; 14 PostgreSQL database unavailable.
        """;

    private static readonly HashSet<string> Commands = new(StringComparer.Ordinal) { "operators", "lockdown", "unlock", "audit", "purge", "report", "backup", "purge-log" };

    public static bool Handles(string[] args) => args.Length > 0 && Commands.Contains(args[0]);

    /// <summary>How to run this same binary with <paramref name="arguments"/>, for hints printed to an administrator.</summary>
    public static string SelfInvocation(string dataDirectory, string arguments)
    {
        var process = Environment.ProcessPath ?? "Hotline.Server";
        var self = Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? $"dotnet {Quote(typeof(AdminCommandLine).Assembly.Location)}"
            : Quote(process);
        return $"{self} {arguments} --data-dir {Quote(Path.GetFullPath(dataDirectory))}";
    }

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        ParsedCommand command;
        try
        {
            command = new Grammar().Parse(args);
        }
        catch (ArgumentException ex)
        {
            await error.WriteLineAsync("hotline-server: " + ex.Message + "\n\n" + Usage);
            return ExitCodes.Usage;
        }
        if (command.Help)
        {
            await output.WriteLineAsync(Usage);
            return 0;
        }
        var configuration = HotlineConfiguration.ForVerb(command.ConfigurationArguments);
        var options = StoreOptions.From(configuration);
        var stats = configuration.GetSection(StatsOptions.Section).Get<StatsOptions>() ?? new StatsOptions();
        if (stats.Problems().FirstOrDefault() is { } problem)
        {
            await error.WriteLineAsync("hotline-server: " + problem);
            return ExitCodes.Usage;
        }
        if (options.Problems().FirstOrDefault() is { } storeProblem)
        {
            await error.WriteLineAsync("hotline-server: configuration error: " + storeProblem);
            return ExitCodes.ConfigurationError;
        }
        using var masterKey = new MasterKeySource(options);
        var backups = (BackupOptions.From(configuration), configuration.GetSection(RetentionOptions.Section).Get<RetentionOptions>()?.RetentionDays ?? 0);
        IAdminBackend backend;
        try
        {
            backend = await AdminBackends.ConnectAsync(options, stats, masterKey, backups);
        }
        catch (DataDirectoryInUseException)
        {
            await error.WriteLineAsync($"hotline-server: a server holds {Path.GetFullPath(options.DataDirectory)} but its admin socket " +
                $"{AdminSocketGate.PathFor(options.DataDirectory)} does not answer; run this as the server's user on its machine, or stop the server.");
            return ExitCodes.DataDirectoryInUse;
        }
        catch (MasterKeyException ex)
        {
            await error.WriteLineAsync("hotline-server: " + ex.Message);
            return ExitCodes.MasterKeyRefused;
        }
        catch (DatabaseUnavailableException ex)
        {
            await error.WriteLineAsync("hotline-server: " + ex.Message);
            return ExitCodes.DatabaseUnavailable;
        }
        await using (backend)
        {
            try
            {
                await output.WriteLineAsync(backend.Describe);
                return await RunAsync(command, backend, output, error);
            }
            catch (RpcException ex)
            {
                var reason = ex.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason;
                await error.WriteLineAsync($"hotline-server: refused ({ex.StatusCode}{(reason is null ? "" : ", " + reason)}): {ex.Status.Detail}");
                return reason == ErrorReasons.MasterKeyMismatch ? ExitCodes.MasterKeyRefused : ExitCodes.Refused;
            }
            catch (DomainException ex)
            {
                await error.WriteLineAsync($"hotline-server: refused ({ex.Reason}): {ex.Message}");
                return ex.Reason == ErrorReasons.MasterKeyMismatch ? ExitCodes.MasterKeyRefused : ExitCodes.Refused;
            }
            catch (MasterKeyException ex)
            {
                await error.WriteLineAsync("hotline-server: " + ex.Message);
                return ExitCodes.MasterKeyRefused;
            }
        }
    }

    private static async Task<int> RunAsync(ParsedCommand command, IAdminBackend backend, TextWriter output, TextWriter error)
    {
        switch (command.Words)
        {
            case ["operators", "add", var id]:
                var added = await backend.AddOperatorAsync(new AddOperatorRequest
                {
                    Id = id,
                    DisplayName = ParsedCommand.Require(command.Name, "--name"),
                    Role = ParseRole(ParsedCommand.Require(command.Role, "--role")),
                });
                await output.WriteLineAsync($"Added {AdminReport.Describe(added.Account)}.");
                await AdminReport.HandOverAsync(added.Token, command.TokenFile, output);
                break;
            case ["operators", "list"]:
                var list = await backend.ListOperatorAccountsAsync();
                await output.WriteLineAsync(AdminReport.FormatList(list.Accounts));
                break;
            case ["operators", "disable" or "enable", var id]:
                var disable = command.Words[1] == "disable";
                var changed = await backend.SetOperatorDisabledAsync(new SetOperatorDisabledRequest { Name = ContractMapping.OperatorName(id), Disabled = disable });
                await output.WriteLineAsync(disable
                    ? $"Disabled {AdminReport.Describe(changed.Account)}: its token is refused from the next call on; ended {changed.EndedSessions} open watch stream(s)."
                    : $"Enabled {AdminReport.Describe(changed.Account)}.");
                break;
            case ["operators", "rotate", var id]:
                var rotated = await backend.RotateOperatorTokenAsync(new RotateOperatorTokenRequest { Name = ContractMapping.OperatorName(id) });
                await output.WriteLineAsync($"Issued a new token for {AdminReport.Describe(rotated.Account)}; the old one no longer works. Ended {rotated.EndedSessions} open watch stream(s).");
                await AdminReport.HandOverAsync(rotated.Token, command.TokenFile, output);
                break;
            case ["lockdown"]:
                var locked = await backend.LockdownAsync();
                await output.WriteLineAsync(locked.AlreadyLocked
                    ? $"Already locked down; ended {locked.EndedSessions} open watch stream(s)."
                    : $"Locked down: keys dropped from memory, ended {locked.EndedSessions} open watch stream(s). Tokens stay valid; sensitive data is not served until `unlock`.");
                if (locked.ProcessExiting)
                {
                    await output.WriteLineAsync(
                        $"The server is stopping (exit code {ExitCodes.LockedDown}) so that nothing it read stays in its memory. Its supervisor must start it again " +
                        "(systemd Restart=always, or run.sh does); it comes up locked and waits for `unlock`.");
                }
                break;
            case ["unlock"]:
                var unlocked = await backend.UnlockAsync();
                await output.WriteLineAsync(unlocked.AlreadyUnlocked
                    ? "Was not locked down: the master key matches, nothing changed."
                    : "Unlocked: the master key matches; request content is served again.");
                break;
            case ["audit", "verify"]:
                return await VerifyAuditAsync(backend, output);
            case ["purge", ..]:
                return await PurgeAsync(command, [.. command.Words.Skip(1)], backend, output, error);
            case ["report"]:
                await ReportAsync(command, backend, output);
                break;
            case ["backup"]:
                return await BackupCommands.BackupAsync(ParsedCommand.Require(command.Out, "--out"), backend, output, error);
            case ["purge-log"]:
                return await BackupCommands.ExportPurgeLogAsync(ParsedCommand.Require(command.Out, "--out"), backend, output, error);
            default:
                throw new DomainException(ErrorKind.InvalidArgument, ErrorReasons.InvalidFields,
                    $"unknown command '{string.Join(' ', command.Words)}'; run with --help");
        }
        return 0;
    }

    private static async Task<int> VerifyAuditAsync(IAdminBackend backend, TextWriter output)
    {
        var response = await backend.VerifyAuditAsync();
        var result = response.Verification;
        if (response.Locked)
        {
            await output.WriteLineAsync("Locked down: checked with the master key; the installation stays locked.");
        }
        if (response.AccountChangesAwaitingUnlock > 0)
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{response.AccountChangesAwaitingUnlock} account change(s) made during the lockdown wait to be chained at the unlock; until then the chain does not protect them."));
        }
        if (result.Intact)
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Audit chain intact: {result.EventsChecked} record(s) checked, chained from 1 to {result.HeadSequence}."));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Head: record {result.HeadSequence}, hash {result.HeadHash}. Keep this line somewhere the server cannot write: a chain cut back to an earlier head is caught only against such a copy."));
            return 0;
        }
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"AUDIT CHAIN BROKEN at record {result.Position}: {AdminReport.ProblemName(result.Problem)}. {result.Detail}."));
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{result.EventsChecked} record(s) checked; records 1 to {result.HeadSequence} are intact. Treat the trail after that as untrustworthy."));
        return ExitCodes.AuditChainBroken;
    }

    private static async Task<int> PurgeAsync(ParsedCommand command, IReadOnlyList<string> ids, IAdminBackend backend, TextWriter output, TextWriter error)
    {
        var request = new PurgeRequestsRequest { ValidateOnly = !command.Yes };
        request.Names.AddRange(ids.Select(id => id.StartsWith(ContractMapping.RequestPrefix, StringComparison.Ordinal) ? id : ContractMapping.RequestName(id)));
        DateTimeOffset? cutoff = null;
        if (command.ClosedBefore is { } days)
        {
            if (!int.TryParse(days, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > 36_500)
            {
                throw new DomainException(ErrorKind.InvalidArgument, ErrorReasons.InvalidFields,
                    "--closed-before takes a whole number of days, 0 to 36500");
            }
            cutoff = DateTimeOffset.UtcNow.AddDays(-n);
            request.ClosedBefore = Timestamp.FromDateTimeOffset(cutoff.Value);
        }
        if (request.Names.Count == 0 && cutoff is null)
        {
            throw new DomainException(ErrorKind.InvalidArgument, ErrorReasons.InvalidFields,
                "purge needs at least one request id, or --closed-before DAYS; run with --help");
        }
        var response = await backend.PurgeRequestsAsync(request);
        var verb = request.ValidateOnly ? "Would purge" : "Purged";
        foreach (var purged in response.Requests)
        {
            await output.WriteLineAsync($"{verb} {AdminReport.Describe(purged)}.");
        }
        if (cutoff is { } closedBefore)
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{verb} {response.ClosedBeforeCount} request(s) closed before {closedBefore:yyyy-MM-dd HH:mm} UTC."));
        }
        foreach (var missing in response.NotFound)
        {
            await error.WriteLineAsync($"hotline-server: not found (REQUEST_NOT_FOUND): {missing} matches no request (never existed, or already purged); nothing done for it.");
        }
        if (request.ValidateOnly)
        {
            await output.WriteLineAsync(response.Requests.Count + response.ClosedBeforeCount == 0
                ? "Nothing to purge."
                : "Nothing was purged yet. Purging is irreversible (each request's data key is destroyed, so no copy of it, " +
                    "backups included, can be read again); run the same command with --yes to do it.");
            return ExitCodes.Refused;
        }
        return response.NotFound.Count > 0 ? ExitCodes.Refused : 0;
    }

    private static async Task ReportAsync(ParsedCommand command, IAdminBackend backend, TextWriter output)
    {
        var period = (command.By ?? "month").ToLowerInvariant() switch
        {
            "month" => Contract.V1.ReportPeriod.Month,
            "week" => Contract.V1.ReportPeriod.Week,
            _ => throw new DomainException(ErrorKind.InvalidArgument, ErrorReasons.InvalidFields, "--by must be month or week"),
        };
        var k = 0;
        if (command.K is { } given && (!int.TryParse(given, NumberStyles.None, CultureInfo.InvariantCulture, out k) || k == 0))
        {
            throw new DomainException(ErrorKind.InvalidArgument, ErrorReasons.InvalidFields, "--k takes a whole number, at least Hotline:Stats:ReportMinimumCount");
        }
        var response = await backend.ProduceMonitoringReportAsync(new ProduceMonitoringReportRequest
        {
            Report = new GetMonitoringReportRequest
            {
                StartDate = ParsedCommand.Require(command.From, "--from"),
                EndDate = ParsedCommand.Require(command.To, "--to"),
                Period = period,
                MinimumCount = k,
            },
        });
        await output.WriteAsync(response.Report.Table);
        if (command.Csv is { } path)
        {
            try
            {
                await using var file = OwnerOnlyFiles.CreateNew(path);
                await using var writer = new StreamWriter(file);
                await writer.WriteAsync(response.Report.Csv);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new DomainException(ErrorKind.InvalidArgument, ErrorReasons.InvalidFields,
                    $"--csv {path}: cannot create it (it must not exist yet): {ex.Message}");
            }
            await output.WriteLineAsync($"CSV written to {path}.");
        }
    }

    private static OperatorRole ParseRole(string role) => role.ToLowerInvariant() switch
    {
        "intake" => OperatorRole.Intake,
        "operator" => OperatorRole.Operator,
        "supervisor" => OperatorRole.Supervisor,
        "admin" => OperatorRole.Admin,
        _ => throw new DomainException(ErrorKind.InvalidArgument, ErrorReasons.InvalidFields,
            "--role must be intake, operator, supervisor or admin"),
    };

    private static string Quote(string text) =>
        text.Length > 0 && text.All(c => char.IsAsciiLetterOrDigit(c) || "/._-+:=@".Contains(c)) ? text : "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>The command words, its own options, and the configuration switches passed through.</summary>
    private sealed record ParsedCommand(IReadOnlyList<string> Words, IReadOnlyList<string> ConfigurationArguments, bool Help)
    {
        public string? Name { get; init; }

        public string? Role { get; init; }

        public string? TokenFile { get; init; }

        public string? ClosedBefore { get; init; }

        public bool Yes { get; init; }

        public string? From { get; init; }

        public string? To { get; init; }

        public string? By { get; init; }

        public string? K { get; init; }

        public string? Csv { get; init; }

        public string? Out { get; init; }

        public static string Require(string? value, string name) => value ?? throw new DomainException(ErrorKind.InvalidArgument, ErrorReasons.InvalidFields,
            $"{name} is required; run with --help");
    }

    /// <summary>
    /// The verbs and flags as System.CommandLine symbols. Only parsing is used: the usage text, the
    /// error wording and the exit codes stay this command line's own (see <see cref="Usage"/>).
    /// </summary>
    private sealed class Grammar
    {
        // Response files off: an argument starting with @ is a name, never a file to read arguments from.
        private static readonly ParserConfiguration Configuration = new() { ResponseFileTokenReplacer = null };

        private readonly Command _root;

        public Grammar()
        {
            // A plain command, not a RootCommand: that would add its own help, version and directives.
            _root = new Command("Hotline.Server")
            {
                new Command("operators")
                {
                    new Command("add") { Id() },
                    new Command("list"),
                    new Command("disable") { Id() },
                    new Command("enable") { Id() },
                    new Command("rotate") { Id() },
                },
                new Command("lockdown"),
                new Command("unlock"),
                new Command("audit") { new Command("verify") },
                new Command("purge") { new Argument<string[]>("ID") { Arity = ArgumentArity.ZeroOrMore } },
                new Command("report"),
                new Command("backup"),
                new Command("purge-log"),
            };
            // Every verb accepts every flag, as the command line always has; a verb ignores those it does not use.
            foreach (var option in new Option[] { Help, Name, Role, TokenFile, ClosedBefore, Yes, From, To, By, K, Csv, Out })
            {
                option.Recursive = true;
                _root.Options.Add(option);
            }
        }

        private Option<bool> Help { get; } = new("--help", "-h") { Arity = ArgumentArity.Zero };

        private Option<string[]> Name { get; } = Valued("--name");

        private Option<string[]> Role { get; } = Valued("--role");

        private Option<string[]> TokenFile { get; } = Valued("--token-file");

        private Option<string[]> ClosedBefore { get; } = Valued("--closed-before");

        private Option<bool> Yes { get; } = new("--yes") { Arity = ArgumentArity.Zero };

        private Option<string[]> From { get; } = Valued("--from");

        private Option<string[]> To { get; } = Valued("--to");

        private Option<string[]> By { get; } = Valued("--by");

        private Option<string[]> K { get; } = Valued("--k");

        private Option<string[]> Csv { get; } = Valued("--csv");

        private Option<string[]> Out { get; } = Valued("--out");

        /// <summary>The command, or <see cref="ArgumentException"/> with the first mistake in its flags.</summary>
        public ParsedCommand Parse(IReadOnlyList<string> args)
        {
            Option[] valued = [Name, Role, TokenFile, ClosedBefore, From, To, By, K, Csv, Out];
            var (own, configuration) = SplitConfiguration(args, valued);
            var parsed = _root.Parse(own, Configuration);
            if (FirstMistake(parsed, args, own, valued) is { } mistake)
            {
                throw new ArgumentException(mistake);
            }
            // A wrong verb or a missing or extra id is not a usage error here: the words go on as they
            // are, and the command refuses them as an unknown command (exit code 1), as it always has.
            var words = new List<string>();
            for (SymbolResult? result = parsed.CommandResult; result is CommandResult command && command.Parent is not null; result = command.Parent)
            {
                words.InsertRange(0, [command.Command.Name, .. command.Tokens.Select(t => t.Value)]);
            }
            words.AddRange(parsed.UnmatchedTokens.Where(t => !t.StartsWith("--", StringComparison.Ordinal)));
            return new ParsedCommand(words, configuration, parsed.GetValue(Help))
            {
                Name = Last(parsed.GetValue(Name)),
                Role = Last(parsed.GetValue(Role)),
                TokenFile = Last(parsed.GetValue(TokenFile)),
                ClosedBefore = Last(parsed.GetValue(ClosedBefore)),
                Yes = parsed.GetValue(Yes),
                From = Last(parsed.GetValue(From)),
                To = Last(parsed.GetValue(To)),
                By = Last(parsed.GetValue(By)),
                K = Last(parsed.GetValue(K)),
                Csv = Last(parsed.GetValue(Csv)),
                Out = Last(parsed.GetValue(Out)),
            };
        }

        /// <summary>
        /// Takes out the host's switches (--data-dir and --Section:Key, each with its value) for
        /// <see cref="HotlineConfiguration"/>: System.CommandLine knows only the options declared to it.
        /// A value of one of our own options stays ours, even when it looks like such a switch.
        /// </summary>
        private static (List<string> Own, List<string> Configuration) SplitConfiguration(IReadOnlyList<string> args, Option[] valued)
        {
            var own = new List<string>();
            var configuration = new List<string>();
            for (var i = 0; i < args.Count; i++)
            {
                var arg = args[i];
                var isSwitch = arg == "--data-dir" || (arg.StartsWith("--", StringComparison.Ordinal) && arg.Contains(':', StringComparison.Ordinal));
                if (IsOneOf(valued, arg) && i + 1 < args.Count)
                {
                    // The value of an option of ours, whatever it looks like.
                    own.Add(arg);
                    own.Add(args[++i]);
                }
                else if (isSwitch && i + 1 < args.Count)
                {
                    configuration.Add(arg);
                    configuration.Add(args[++i]);
                }
                else
                {
                    own.Add(arg);
                }
            }
            return (own, configuration);
        }

        /// <summary>The first (leftmost) unknown option or option without its value, in this command line's words; null if none.</summary>
        private static string? FirstMistake(ParseResult parsed, IReadOnlyList<string> args, IReadOnlyList<string> own, Option[] valued)
        {
            var mistakes = new List<(string Token, string Message)>();
            foreach (var token in parsed.UnmatchedTokens.Where(t => t.StartsWith("--", StringComparison.Ordinal)).Concat(own.Where(t => t == "--")))
            {
                // Anything else starting with -- takes a value: left without one, that is what is missing.
                mistakes.Add((token, IndexIn(args, token) == args.Count - 1 ? $"{token} needs a value" : $"unknown option {token}"));
            }
            // Repeated, an option can have its value the first time and none the last.
            if (own.Count > 0 && own[^1] == args[^1] && IsOneOf(valued, own[^1]))
            {
                mistakes.Add((own[^1], $"{own[^1]} needs a value"));
            }
            foreach (var error in parsed.Errors)
            {
                if (error.SymbolResult is OptionResult option)
                {
                    var name = option.IdentifierToken?.Value ?? option.Option.Name;
                    mistakes.Add((name, option.Tokens.Count == 0 ? $"{name} needs a value" : error.Message));
                }
            }
            return mistakes.Count == 0 ? null : mistakes.MinBy(m => IndexIn(args, m.Token)).Message;
        }

        private static bool IsOneOf(Option[] options, string token) => Array.Exists(options, o => o.Name == token || o.Aliases.Contains(token));

        private static int IndexIn(IReadOnlyList<string> args, string token)
        {
            for (var i = 0; i < args.Count; i++)
            {
                if (args[i] == token)
                {
                    return i;
                }
            }
            return args.Count;
        }

        private static Argument<string> Id() => new("ID");

        /// <summary>An option with a value; given more than once, the last one counts.</summary>
        private static Option<string[]> Valued(string name) => new(name) { Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };

        private static string? Last(string[]? values) => values is [.., var last] ? last : null;
    }
}
