using System.Text;
using Hotline.Contract.Client;
using Hotline.Contract.V1;
using Hotline.JsonlIntake;

const string Usage = """
    hotline-jsonl-intake: submits requests read as JSON lines, each exactly once, resumable after a crash.

    usage: hotline-jsonl-intake [FILE | -] --token-file PATH [--address URL] [--pin sha256:HEX]...
                                [--source NAME] [--state PATH] [--max-attempts N]

      FILE              one JSON object per line, shaped like SubmitRequestRequest in protobuf JSON
                        (the HTTP/JSON intake body), plus an optional source_id; `-` or none: stdin
      --token-file      file holding an intake account's token (or set HOTLINE_TOKEN)
      --address         the server (default http://127.0.0.1:5171; https:// beyond this machine)
      --pin             SHA-256 pin of a self-signed server certificate; repeat while rotating
      --source          names the input in every derived request_id (default: FILE's full path;
                        required with stdin); keep it when the same export is re-read
      --state           progress file (default FILE.intake-state; required with stdin)
      --max-attempts    tries per line on UNAVAILABLE or rate limits before stopping (default 20)

    Progress and every rejected line (by number and field, never its content) go to stderr; a JSON
    summary goes to stdout. Exit codes: 0 all submitted; 4 all dealt with, some rejected; 2 token
    refused; 3 server unavailable for too long (run again to resume); 64 usage; 65 the progress
    file does not fit the input.
    """;

return await MainAsync(args);

static async Task<int> MainAsync(string[] args)
{
    string? input = null, tokenFile = null, source = null, statePath = null;
    var address = new Uri("http://127.0.0.1:5171");
    var pins = new List<PinnedCertificate>();
    var maxAttempts = 20;
    try
    {
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--token-file": tokenFile = Value(); break;
                case "--address": address = new Uri(Value()); break;
                case "--pin": pins.Add(PinnedCertificate.Parse(Value())); break;
                case "--source": source = Value(); break;
                case "--state": statePath = Value(); break;
                case "--max-attempts": maxAttempts = int.Parse(Value(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "-h" or "--help": await Console.Out.WriteAsync(Usage); return 0;
                default:
                    if (input is not null || (args[i].StartsWith('-') && args[i] != "-"))
                    {
                        throw new FormatException($"unexpected argument {args[i]}");
                    }
                    input = args[i];
                    break;
            }
        }
        var fromStdin = input is null or "-";
        if (fromStdin && (source is null || statePath is null))
        {
            throw new FormatException("reading stdin needs --source and --state");
        }
        source ??= Path.GetFullPath(input!);
        statePath ??= input + ".intake-state";
        var token = tokenFile is not null ? (await File.ReadAllTextAsync(tokenFile)).Trim() : Environment.GetEnvironmentVariable("HOTLINE_TOKEN");
        if (string.IsNullOrEmpty(token))
        {
            throw new FormatException("give --token-file (or HOTLINE_TOKEN)");
        }
        if (maxAttempts < 1)
        {
            throw new FormatException("--max-attempts must be at least 1");
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        using var channel = HotlineChannel.Create(address, pins);
        using var reader = fromStdin
            ? new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false))
            : new StreamReader(input!, new UTF8Encoding(false));
        var run = new IntakeRun(new IntakeService.IntakeServiceClient(channel), new IntakeSettings(source, statePath, token, maxAttempts),
            Console.Error, Console.Out, TimeProvider.System);
        return (int)await run.RunAsync(reader, cancel.Token);
    }
    catch (FormatException e)
    {
        await Console.Error.WriteLineAsync($"hotline-jsonl-intake: {e.Message}\n\n{Usage}");
        return 64;
    }
    catch (Exception e) when (e is InputChangedException or InvalidDataException)
    {
        await Console.Error.WriteLineAsync($"hotline-jsonl-intake: {e.Message}");
        return 65;
    }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
    {
        await Console.Error.WriteLineAsync($"hotline-jsonl-intake: {e.Message}");
        return 74;
    }
    catch (OperationCanceledException)
    {
        await Console.Error.WriteLineAsync("hotline-jsonl-intake: interrupted; run again to resume");
        return 130;
    }
}
