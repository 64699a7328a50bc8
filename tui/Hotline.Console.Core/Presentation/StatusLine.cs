using System.Globalization;
using Hotline.Console.State;
using Hotline.Contract.V1;

namespace Hotline.Console.Presentation;

/// <summary>
/// The bottom line (who is signed in, the link, the revision, the counts and the bell) and, while
/// the link is down, the banner that says so across the whole screen.
/// </summary>
public static class StatusLine
{
    /// <summary>After this long without a stream the console says "offline since", not "reconnecting".</summary>
    public static readonly TimeSpan OfflineAfter = TimeSpan.FromSeconds(30);

    /// <summary>The key that ends the wait before the next attempt (<see cref="Remote.WatchLoop.RetryNow"/>), as the banner names it.</summary>
    public const string RetryKey = "F5";

    private const string Separator = " │ ";

    /// <summary>The status line without a width: every part in full. See the overload for a screen.</summary>
    public static string Format(Operator? me, ConnectionStatus link, long revision, int shown, int open, bool bell, DateTimeOffset now, TimeZoneInfo zone) =>
        Format(me, link, revision, shown, open, bell, now, zone, int.MaxValue);

    /// <summary>
    /// The status line in at most <paramref name="width"/> columns. When the whole line does not
    /// fit, the link is said shorter (the banner has the details), then the name is cut, so the
    /// revision, counts and bell stay readable at 80 columns; only on a narrower screen is the
    /// line itself cut.
    /// </summary>
    public static string Format(Operator? me, ConnectionStatus link, long revision, int shown, int open, bool bell, DateTimeOffset now, TimeZoneInfo zone,
        int width)
    {
        var who = me is null ? "signing in…" : Labels.OperatorId(me.Name);
        var rest = string.Create(CultureInfo.InvariantCulture, $"{Separator}rev {revision}{Separator}{shown} shown, {open} open{Separator}bell {(bell ? "on" : "off")}");
        var links = LinkForms(link, now, zone);
        foreach (var form in links)
        {
            var line = who + Separator + form + rest;
            if (line.Length <= width)
            {
                return line;
            }
        }
        var tail = Separator + links[^1] + rest;
        // A name cut shorter than this says nothing; better to cut the end of the line.
        const int ShortestName = 4;
        if (width - tail.Length >= ShortestName)
        {
            return TextRows.Cut(who, width - tail.Length) + tail;
        }
        return TextRows.Cut(who + tail, width);
    }

    public static string Link(ConnectionStatus link, DateTimeOffset now, TimeZoneInfo zone) => LinkForms(link, now, zone)[0];

    /// <summary>
    /// A full-width line for the top of the screen while what it shows may be old, or null while
    /// connected (and while first connecting, when nothing is on screen yet). One row while
    /// retrying, dropping the countdown, then the problem, then the key when narrow; the status
    /// line keeps the countdown. After a sign-out the reason and what to do, wrapped to two rows
    /// of <paramref name="width"/>, since no retry will come and the queue is no longer watched.
    /// </summary>
    public static string? Banner(ConnectionStatus link, DateTimeOffset now, TimeZoneInfo zone, int width)
    {
        var since = link.DownSince is { } down ? Clock(down, zone, now) : null;
        switch (link.State)
        {
            case LinkState.Retrying:
                var headline = since is null ? "OFFLINE" : $"OFFLINE since {since}";
                // In the order shown; the number is the order they are given up in when narrow.
                (string Text, int Keep)[] parts =
                [
                    (" — queue may be out of date", 1),
                    .. link.Problem is { Length: > 0 } problem ? [($" · {problem}", 3)] : Array.Empty<(string, int)>(),
                    ($" · {Retry(link, now, "retrying in", "retrying now")}", 4),
                    ($" · {RetryKey}: retry now", 2),
                ];
                var room = width - headline.Length;
                var kept = new HashSet<int>();
                foreach (var (part, index) in parts.Select((p, i) => (p, i)).OrderBy(p => p.p.Keep))
                {
                    if (part.Text.Length <= room)
                    {
                        kept.Add(index);
                        room -= part.Text.Length;
                    }
                }
                return TextRows.Cut(headline + string.Concat(parts.Where((_, i) => kept.Contains(i)).Select(p => p.Text)), width);
            case LinkState.SignedOut:
                var asOf = since is null ? "" : $" Queue as of {since}.";
                return TextRows.Wrap($"SIGNED OUT: {SignedOutAdvice(link.SignOut)}{asOf}", Math.Max(1, width));
            default:
                return null;
        }
    }

    /// <summary>The link from the longest way of saying it to the shortest.</summary>
    private static string[] LinkForms(ConnectionStatus link, DateTimeOffset now, TimeZoneInfo zone)
    {
        switch (link.State)
        {
            case LinkState.Connected:
                // Given several servers the console says which it is on while there is room, and
                // that it failed over always, in words (the mark must not depend on colour).
                return (link.Server, link.FailedOverFrom) switch
                {
                    (null, _) => ["connected"],
                    ({ } on, null) => [$"connected to {on}", $"on {on}", "connected"],
                    ({ } on, _) => [$"connected to {on}, failed over", $"failed over to {on}", "failed over"],
                };
            case LinkState.Connecting:
                return ["connecting…"];
            case LinkState.SignedOut:
                return [$"signed out: {SignedOutShort(link.SignOut)}", "signed out"];
            default:
                var retry = Retry(link, now, "reconnecting in", "reconnecting now");
                var brief = Retry(link, now, "retry in", "retrying now");
                var offline = link.DownSince is { } since && now - since >= OfflineAfter ? $"offline since {DetailText.Clock(since, zone, now)}, " : null;
                if (link.Server is not { } next)
                {
                    return offline is null ? [retry, brief] : [offline + retry, retry, brief];
                }
                // With several servers, the one tried next; failing over is immediate, and with
                // nothing to count down the address is what the line should keep longest.
                var toServer = Retry(link, now, $"reconnecting to {next} in", $"reconnecting to {next} now");
                var trying = Retry(link, now, $"trying {next} in", $"trying {next} now");
                string[] bare = link.RetryAt is { } retryAt && retryAt <= now ? [$"trying {next}"] : [];
                return offline is null ? [toServer, trying, .. bare, retry, brief] : [offline + toServer, toServer, trying, .. bare, retry, brief];
        }
    }

    /// <summary>"reconnecting in 4 s", "retry in 5 min", "reconnecting now".</summary>
    private static string Retry(ConnectionStatus link, DateTimeOffset now, string soon, string atOnce)
    {
        var wait = link.RetryAt is { } at ? Math.Max(0, (int)Math.Ceiling((at - now).TotalSeconds)) : 0;
        // A rate-limited wait can be minutes; counting them down in seconds is noise.
        return wait switch
        {
            0 => atOnce,
            <= 90 => string.Create(CultureInfo.InvariantCulture, $"{soon} {wait} s"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{soon} {(int)Math.Ceiling(wait / 60.0)} min"),
        };
    }

    private static string SignedOutShort(SignOutReason? reason) => reason switch
    {
        SignOutReason.TokenRevoked => "token revoked",
        SignOutReason.AccountDisabled => "account disabled",
        SignOutReason.NotPermitted => "not allowed to watch",
        _ => "token not accepted",
    };

    /// <summary>What happened and what to do, in words for an operator; the admin commands name what to ask for.</summary>
    private static string SignedOutAdvice(SignOutReason? reason) => reason switch
    {
        // Disabling an account also ends its streams as TOKEN_REVOKED, so this one cannot tell the two apart.
        SignOutReason.TokenRevoked =>
            "this token was revoked (or its account disabled). Ask an admin for a new token (operators rotate), then restart the console.",
        SignOutReason.AccountDisabled => "this account is disabled. Ask an admin to enable it (operators enable), then restart the console.",
        SignOutReason.NotPermitted => "this account may not use the console (it needs an operator, supervisor or admin role). Ask an admin, then restart the console.",
        _ => "the server does not accept this token. Ask an admin for a new one (operators rotate), then restart the console with it.",
    };

    /// <summary>HH:mm:ss today, otherwise the date too: the banner says to the second how old the queue may be.</summary>
    private static string Clock(DateTimeOffset at, TimeZoneInfo zone, DateTimeOffset now)
    {
        var local = TimeZoneInfo.ConvertTime(at, zone);
        var today = TimeZoneInfo.ConvertTime(now, zone).Date;
        return local.ToString(local.Date == today ? "HH:mm:ss" : "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
    }
}
