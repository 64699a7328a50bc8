using System.Globalization;
using Hotline.Console.State;
using Hotline.Contract.V1;

namespace Hotline.Console.Presentation;

/// <summary>The bottom line: who is signed in, the link, the revision, the counts and the bell.</summary>
public static class StatusLine
{
    /// <summary>After this long without a stream the console says "offline since", not "reconnecting".</summary>
    public static readonly TimeSpan OfflineAfter = TimeSpan.FromSeconds(30);

    public static string Format(Operator? me, ConnectionStatus link, long revision, int shown, int open, bool bell, DateTimeOffset now, TimeZoneInfo zone)
    {
        var who = me is null ? "signing in…" : Labels.OperatorId(me.Name);
        return string.Create(CultureInfo.InvariantCulture,
            $"{who} │ {Link(link, now, zone)} │ rev {revision} │ {shown} shown, {open} open │ bell {(bell ? "on" : "off")}");
    }

    public static string Link(ConnectionStatus link, DateTimeOffset now, TimeZoneInfo zone)
    {
        switch (link.State)
        {
            case LinkState.Connected:
                return "connected";
            case LinkState.Connecting:
                return "connecting…";
            default:
                var wait = link.RetryAt is { } at ? Math.Max(0, (int)Math.Ceiling((at - now).TotalSeconds)) : 0;
                var retry = wait == 0 ? "reconnecting now" : $"reconnecting in {wait} s";
                if (link.DownSince is { } since && now - since >= OfflineAfter)
                {
                    return $"offline since {DetailText.Clock(since, zone, now)}, {retry}";
                }
                return retry;
        }
    }
}
