using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Google.Rpc;
using Grpc.Core;
using Hotline.Contract.V1;

namespace Hotline.JsonlIntake;

/// <summary>What the run was asked to do.</summary>
internal sealed record IntakeSettings(string Source, string StatePath, string Token, int MaxAttempts);

/// <summary>How a run ended.</summary>
internal enum RunOutcome
{
    /// <summary>Every line was accepted or was a duplicate.</summary>
    Done = 0,

    /// <summary>The server refused the caller (token, role): nothing more can succeed until that is fixed; resume later.</summary>
    Refused = 2,

    /// <summary>A line stayed unavailable through every attempt; resume later, it is submitted again with the same id.</summary>
    GaveUp = 3,

    /// <summary>Every line was dealt with, and some were rejected as invalid (see the summary).</summary>
    DoneWithRejections = 4,
}

/// <summary>
/// Reads JSON lines and submits each exactly once: lines already done (per the progress file)
/// are skipped, every other one goes to the server with its deterministic request_id, retried on
/// UNAVAILABLE and rate limits, and the progress file is advanced after each. Reports on
/// <paramref name="log"/> (progress, retries, rejections by line number and field, never a line's
/// content) and writes a JSON summary to <paramref name="summary"/> at the end.
/// </summary>
internal sealed class IntakeRun(IntakeService.IntakeServiceClient intake, IntakeSettings settings, TextWriter log, TextWriter summary,
    TimeProvider time)
{
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    private readonly Random _jitter = new();
    private readonly List<object> _rejectedLines = [];
    private long _lineNumber;
    private long _skipped;
    private long _retries;
    private ProgressState _state = new() { Source = settings.Source };

    public async Task<RunOutcome> RunAsync(TextReader input, CancellationToken cancellation)
    {
        var resumeFrom = LoadState();
        var sinceProgress = Stopwatch.StartNew();
        var resumeChain = _state.Chain;
        var replayChain = new ProgressState { Source = settings.Source }.Chain;
        var outcome = RunOutcome.Done;
        while (await input.ReadLineAsync(cancellation) is { } line)
        {
            _lineNumber++;
            if (_lineNumber <= resumeFrom)
            {
                replayChain = ProgressState.Extend(replayChain, line);
                _skipped++;
                if (_lineNumber == resumeFrom && replayChain != resumeChain)
                {
                    throw new InputChangedException(settings.StatePath);
                }
                continue;
            }
            var result = await SubmitLineAsync(line, cancellation);
            if (result is RunOutcome.Refused or RunOutcome.GaveUp)
            {
                outcome = result;
                break;
            }
            if (sinceProgress.Elapsed >= ProgressEvery)
            {
                await log.WriteLineAsync(ProgressLine());
                sinceProgress.Restart();
            }
        }
        if (outcome == RunOutcome.Done && _lineNumber < resumeFrom)
        {
            await log.WriteLineAsync($"warning: the input has {_lineNumber} lines, fewer than the {resumeFrom} {settings.StatePath} says were done; nothing submitted");
        }
        if (outcome == RunOutcome.Done && _state.Rejected > 0)
        {
            outcome = RunOutcome.DoneWithRejections;
        }
        await log.WriteLineAsync(ProgressLine() + (outcome is RunOutcome.Done or RunOutcome.DoneWithRejections ? " — finished" : " — stopped; run again to resume"));
        await summary.WriteLineAsync(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["outcome"] = outcome.ToString(),
            ["lines_read"] = _lineNumber,
            ["skipped_as_done"] = _skipped,
            ["accepted"] = _state.Accepted,
            ["duplicates"] = _state.Duplicates,
            ["rejected"] = _state.Rejected,
            ["retries"] = _retries,
            ["rejected_lines"] = _rejectedLines,
        }));
        return outcome;
    }

    private long LoadState()
    {
        if (ProgressState.Load(settings.StatePath) is not { } saved)
        {
            return 0;
        }
        if (saved.Source != settings.Source)
        {
            throw new InvalidDataException($"{settings.StatePath} belongs to another source; use a --state file of its own per source");
        }
        _state = saved;
        return saved.LinesDone;
    }

    private async Task<RunOutcome> SubmitLineAsync(string line, CancellationToken cancellation)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            Advance(line, accepted: 0, duplicates: 0, rejected: 0);
            return RunOutcome.Done;
        }
        if (IntakeLine.Parse(line, settings.Source, out var badField, out var problem) is not { } request)
        {
            await RejectAsync(line, badField, problem!);
            return RunOutcome.Done;
        }
        var headers = new Metadata { { "authorization", "Bearer " + settings.Token } };
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var receipt = await intake.SubmitRequestAsync(request, headers, time.GetUtcNow().UtcDateTime + CallTimeout, cancellation);
                Advance(line, accepted: receipt.Duplicate ? 0 : 1, duplicates: receipt.Duplicate ? 1 : 0, rejected: 0);
                return RunOutcome.Done;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.InvalidArgument)
            {
                var violations = e.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations;
                var field = violations is { Count: > 0 } ? string.Join(",", violations.Select(v => v.Field)) : null;
                var why = violations is { Count: > 0 } ? string.Join("; ", violations.Select(v => $"{v.Field} {v.Description}")) : RetryPolicy.ReasonOf(e);
                await RejectAsync(line, field, why);
                return RunOutcome.Done;
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unauthenticated or StatusCode.PermissionDenied)
            {
                await log.WriteLineAsync($"line {_lineNumber}: refused: {e.StatusCode} {RetryPolicy.ReasonOf(e)}; check the token and that its account has the intake role");
                return RunOutcome.Refused;
            }
            catch (RpcException e)
            {
                if (RetryPolicy.DelayAfter(e, attempt, _jitter) is not { } wait)
                {
                    await log.WriteLineAsync($"line {_lineNumber}: failed: {e.StatusCode} {RetryPolicy.ReasonOf(e)}");
                    return RunOutcome.GaveUp;
                }
                if (attempt >= settings.MaxAttempts)
                {
                    await log.WriteLineAsync($"line {_lineNumber}: still {e.StatusCode} {RetryPolicy.ReasonOf(e)} after {attempt} attempts; giving up for now");
                    return RunOutcome.GaveUp;
                }
                _retries++;
                var told = e.GetRpcStatus()?.GetDetail<RetryInfo>() is not null ? "as the server asked" : "backing off";
                await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"line {_lineNumber}: {e.StatusCode} {RetryPolicy.ReasonOf(e)}; retrying in {wait.TotalSeconds:0.###} s ({told})"));
                await Task.Delay(wait, time, cancellation);
            }
        }
    }

    private async Task RejectAsync(string line, string? field, string why)
    {
        await log.WriteLineAsync($"line {_lineNumber}: rejected: {why}");
        _rejectedLines.Add(new Dictionary<string, object?> { ["line"] = _lineNumber, ["field"] = field, ["problem"] = why });
        Advance(line, accepted: 0, duplicates: 0, rejected: 1);
    }

    private void Advance(string line, int accepted, int duplicates, int rejected)
    {
        _state = _state with
        {
            LinesDone = _lineNumber,
            Chain = ProgressState.Extend(_state.Chain, line),
            Accepted = _state.Accepted + accepted,
            Duplicates = _state.Duplicates + duplicates,
            Rejected = _state.Rejected + rejected,
        };
        _state.Save(settings.StatePath);
    }

    private string ProgressLine() =>
        $"progress: line {_lineNumber}, {_state.Accepted} accepted, {_state.Duplicates} duplicate, {_state.Rejected} rejected" +
        (_skipped > 0 ? $", {_skipped} skipped as done before" : "") + (_retries > 0 ? $", {_retries} retries" : "");
}

/// <summary>The input's first lines are not those the progress file was written for.</summary>
internal sealed class InputChangedException(string statePath)
    : Exception($"the input's first lines differ from those {statePath} was written for: it is another input. " +
        "Use a --state file of its own for it (ids come from content, so lines already stored are answered as duplicates).");
