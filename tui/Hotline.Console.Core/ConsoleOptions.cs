using System.CommandLine;
using System.CommandLine.Parsing;
using Hotline.Console.Remote;
using Hotline.Contract.Client;

namespace Hotline.Console;

/// <summary>How the console shows colour.</summary>
public enum ColorMode
{
    /// <summary>The terminal's colours, as Terminal.Gui detects them.</summary>
    Full,

    /// <summary>16 colours, for old SSH clients and `TERM=linux`.</summary>
    Sixteen,

    /// <summary>No colour at all (NO_COLOR): emphasis by reverse video and bold only.</summary>
    Monochrome,
}

/// <summary>The console's command line and environment, parsed.</summary>
/// <param name="Servers">
/// The servers of the installation, in the order the console tries them: it starts on the first and
/// fails over to the next when the one it is on stops answering. At least one.
/// </param>
public sealed record ConsoleOptions(IReadOnlyList<Uri> Servers, Credential Credential, ColorMode Colors, bool Bell, bool Demo,
    IReadOnlyList<PinnedCertificate> Pins)
{
    public const string DefaultServer = "http://127.0.0.1:5171";

    /// <summary>The first server, the one the console starts on (and demo mode submits to).</summary>
    public Uri Server => Servers[0];

    /// <summary>
    /// The intake account's token demo mode submits with (--demo-token-file, HOTLINE_DEMO_TOKEN_FILE),
    /// so its requests are audited as coming from a web form; null outside demo mode or when none was given.
    /// </summary>
    public Credential? DemoCredential { get; init; }

    /// <summary>Whom demo requests are submitted as: the intake account when one was given, else the operator.</summary>
    public Credential DemoSubmitter => DemoCredential ?? Credential;

    public const string Help = """
        hotline-console: the Hotline operator console

        Usage: hotline-console [options]

          --server URL        server address (default http://127.0.0.1:5171, or
                              HOTLINE_SERVER); several servers of one installation:
                              repeat --server or separate them with commas; the
                              console starts on the first and fails over in order
          --token-file PATH   read your access token from PATH, a file only you may read
                              (or set HOTLINE_TOKEN_FILE, or HOTLINE_TOKEN itself); tokens
                              are never taken as arguments
          --pin sha256:HEX    trust only the server certificate with this SHA-256
                              fingerprint (self-signed servers); repeatable, or HOTLINE_PIN
                              with fingerprints separated by commas
          --colors MODE       full (default), 16, or mono; NO_COLOR in the environment
                              means mono
          --mono              the same as --colors mono
          --no-bell           do not ring the terminal bell for new urgent requests
          --demo              also submit a realistic multilingual stream of requests
                              through the intake API so the queue is live
          --demo-token-file PATH
                              the intake account the demo submits as (or set
                              HOTLINE_DEMO_TOKEN_FILE); run.sh makes one, `web-form`;
                              without it the demo submits with your own token
          -h, --help          show this help

        Keys: press ? or F1 inside the console. F12 clears the screen and exits at once.
        """;

    /// <summary>The options, or an error to print with the help (null error and null options: --help).</summary>
    public static (ConsoleOptions? Options, string? Error) Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        var line = new CommandLine();
        var parsed = line.Command.Parse(args);
        if (parsed.GetResult(line.Token) is not null)
        {
            return (null, "--token is not accepted: a token on the command line is visible to every user of this machine. Use --token-file or HOTLINE_TOKEN.");
        }
        if (parsed.GetValue(line.Help))
        {
            return (null, null);
        }
        if (CommandLine.Mistake(parsed) is { } mistake)
        {
            return (null, mistake);
        }
        var serverList = parsed.GetValue(line.Server) is { Length: > 0 } given ? string.Join(',', given) : environment("HOTLINE_SERVER") ?? DefaultServer;
        var tokenFile = parsed.GetValue(line.TokenFile);
        var demo = parsed.GetValue(line.Demo);
        var demoTokenFile = parsed.GetValue(line.DemoTokenFile);
        var pins = new List<PinnedCertificate>();
        foreach (var text in parsed.GetValue(line.Pins) ?? [])
        {
            if (!PinnedCertificate.TryParse(text, out var pin))
            {
                return (null, "--pin takes a SHA-256 fingerprint: 64 hex digits, colons and a sha256: prefix optional");
            }
            pins.Add(pin);
        }
        var colors = environment("NO_COLOR") is { Length: > 0 } ? ColorMode.Monochrome : ColorMode.Full;
        if (parsed.GetValue(line.Colors) is { } mode)
        {
            if (ColorsNamed(mode) is not { } named)
            {
                return (null, $"--colors takes full, 16 or mono, not '{mode}'");
            }
            colors = named;
        }
        // --mono is --colors mono: whichever of the two comes last wins.
        if (parsed.Tokens.LastOrDefault(t => t.Type == TokenType.Option && (line.IsMono(t.Value) || t.Value == line.Colors.Name)) is { } last
            && line.IsMono(last.Value))
        {
            colors = ColorMode.Monochrome;
        }
        var bell = !parsed.GetValue(line.NoBell);
        var servers = new List<Uri>();
        foreach (var server in serverList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(server, UriKind.Absolute, out var parsedServer) || (parsedServer.Scheme != "http" && parsedServer.Scheme != "https"))
            {
                return (null, $"'{server}' is not an http or https address");
            }
            servers.Add(parsedServer);
        }
        if (servers.Count == 0)
        {
            return (null, "--server needs a value");
        }
        if (pins.Count == 0 && environment("HOTLINE_PIN") is { Length: > 0 } pinList)
        {
            foreach (var text in pinList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!PinnedCertificate.TryParse(text, out var pin))
                {
                    return (null, "HOTLINE_PIN holds something that is not a SHA-256 fingerprint");
                }
                pins.Add(pin);
            }
        }
        if (pins.Count > 0 && servers.Any(s => s.Scheme != Uri.UriSchemeHttps))
        {
            return (null, "a certificate pin needs an https:// server address");
        }
        if (servers.FirstOrDefault(s => s.Scheme == Uri.UriSchemeHttp && !HotlineChannel.IsLoopback(s)) is { } plaintext)
        {
            return (null, $"refusing plaintext to {plaintext}: your token and requests would cross the network readable; use https://");
        }
        try
        {
            HotlineChannel.ValidateAddresses(servers, pins);
        }
        catch (ArgumentException error)
        {
            // Mixed schemes, an address twice, a path: the message names the address.
            return (null, error.Message.Replace($" (Parameter '{error.ParamName}')", "", StringComparison.Ordinal));
        }
        var credential = ResolveCredential(tokenFile, environment, out var problem);
        if (credential is null)
        {
            return (null, problem);
        }
        Credential? demoCredential = null;
        // Read only in demo mode: a stray HOTLINE_DEMO_TOKEN_FILE must not stop a normal start.
        if (demo && (demoTokenFile ?? environment("HOTLINE_DEMO_TOKEN_FILE")) is { Length: > 0 } demoFile)
        {
            demoCredential = ReadTokenFile(demoFile, out problem);
            if (demoCredential is null)
            {
                return (null, problem);
            }
        }
        return (new ConsoleOptions(servers, credential, colors, bell, demo, pins) { DemoCredential = demoCredential }, null);
    }

    private static ColorMode? ColorsNamed(string mode) => mode switch
    {
        "full" => ColorMode.Full,
        "16" => ColorMode.Sixteen,
        "mono" or "none" => ColorMode.Monochrome,
        _ => null,
    };

    private static Credential? ResolveCredential(string? tokenFile, Func<string, string?> environment, out string? problem)
    {
        problem = null;
        tokenFile ??= environment("HOTLINE_TOKEN_FILE");
        if (tokenFile is not null)
        {
            return ReadTokenFile(tokenFile, out problem);
        }
        if (environment("HOTLINE_TOKEN") is { Length: > 0 } envToken)
        {
            return new BearerToken(envToken.Trim(), "HOTLINE_TOKEN");
        }
        problem = "no access token: use --token-file PATH or set HOTLINE_TOKEN_FILE or HOTLINE_TOKEN (an admin creates one with `Hotline.Server operators add`)";
        return null;
    }

    private static Credential? ReadTokenFile(string tokenFile, out string? problem)
    {
        problem = null;
        try
        {
            // A token others can read is a token others can use: refuse it rather than leak it further.
            if (!OperatingSystem.IsWindows()
                && (File.GetUnixFileMode(tokenFile) & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            {
                problem = $"the token file {tokenFile} can be read or written by other users; run: chmod 600 {tokenFile}";
                return null;
            }
            var token = File.ReadAllText(tokenFile).Trim();
            if (token.Length > 0)
            {
                return new BearerToken(token, tokenFile);
            }
            problem = $"the token file {tokenFile} is empty";
        }
        catch (IOException error)
        {
            problem = $"cannot read the token file {tokenFile}: {error.Message}";
        }
        catch (UnauthorizedAccessException)
        {
            problem = $"no permission to read the token file {tokenFile}";
        }
        return null;
    }

    /// <summary>
    /// The console's flags as System.CommandLine symbols. Only parsing is used: the help text,
    /// the error wording and the exit codes stay the console's own (see <see cref="Help"/>).
    /// </summary>
    private sealed class CommandLine
    {
        public CommandLine()
        {
            // A plain command, not a RootCommand: that would add its own help, version and directives.
            Command = new Command("hotline-console")
            {
                Help, Server, TokenFile, Pins, Colors, Mono, NoBell, Demo, DemoTokenFile, Token,
            };
        }

        public Command Command { get; }

        public Option<bool> Help { get; } = new("--help", "-h");

        /// <summary>Repeatable, and each value may list several addresses separated by commas.</summary>
        public Option<string[]> Server { get; } = new("--server") { Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };

        public Option<string> TokenFile { get; } = new("--token-file");

        public Option<string[]> Pins { get; } = new("--pin") { Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };

        public Option<string> Colors { get; } = new("--colors");

        public Option<bool> Mono { get; } = new("--mono", "--monochrome", "--no-color") { Arity = ArgumentArity.Zero };

        public Option<bool> NoBell { get; } = new("--no-bell") { Arity = ArgumentArity.Zero };

        public Option<bool> Demo { get; } = new("--demo") { Arity = ArgumentArity.Zero };

        public Option<string> DemoTokenFile { get; } = new("--demo-token-file");

        /// <summary>Refused with its own reason; it takes a value so that the token itself is never named as an unknown option.</summary>
        public Option<string> Token { get; } = new("--token") { Arity = ArgumentArity.ZeroOrOne, Hidden = true };

        public bool IsMono(string name) => name == Mono.Name || Mono.Aliases.Contains(name);

        /// <summary>The first mistake on the command line in the console's own words, or null.</summary>
        public static string? Mistake(ParseResult parsed)
        {
            if (parsed.UnmatchedTokens.Count > 0)
            {
                return $"unknown option '{parsed.UnmatchedTokens[0]}'";
            }
            if (parsed.Errors.Count == 0)
            {
                return null;
            }
            var error = parsed.Errors[0];
            return error.SymbolResult is OptionResult { Tokens.Count: 0 } option
                ? $"{option.IdentifierToken?.Value ?? option.Option.Name} needs a value"
                : error.Message;
        }
    }
}
