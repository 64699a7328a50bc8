using Hotline.Domain;

namespace Hotline.Server.Live;

/// <summary>`Hotline:Watch`: live feed limits. The defaults suit a hotline's console fleet; tests shorten them.</summary>
public sealed class WatchOptions : ICheckedOptions
{
    public const string Section = "Hotline:Watch";

    /// <summary>How long a stream may stay silent before a progress message is sent.</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Changes queued per watcher before it is cut off as too slow. Bounds server memory per watcher.</summary>
    public int SubscriberBuffer { get; set; } = 4_096;

    /// <summary>A single write that the client does not take within this time ends the stream.</summary>
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A watch snapshot carries the open requests and those closed within this long before it is
    /// read; older closed requests are reached through ListRequests. A console's "closed today" is
    /// local midnight onwards, at most 24 hours before any moment, and requests closed after the
    /// snapshot arrive as changes, so any window of a day or more keeps that view whole in every
    /// time zone; 36 hours leaves room for clocks that disagree and days that DST makes 25 hours long.
    /// </summary>
    public TimeSpan ClosedWindow { get; set; } = TimeSpan.FromHours(36);

    /// <summary>
    /// Watch streams one account may hold open at once. Each open stream costs a subscription, a
    /// queue of up to <see cref="SubscriberBuffer"/> changes and a page in flight, so one token
    /// must not multiply that without bound; a person has a few consoles, not dozens.
    /// </summary>
    public int MaxStreamsPerCaller { get; set; } = 8;

    /// <summary>Watch streams open at once in all, whoever holds them.</summary>
    public int MaxStreams { get; set; } = 2_000;

    /// <summary>
    /// Streams of the standard health service's Watch open at once in all. It needs no token, so
    /// this total is all that bounds it; a monitor needs one or two.
    /// </summary>
    public int MaxHealthWatches { get; set; } = 64;

    /// <summary>Shortest <see cref="ClosedWindow"/>: less would leave requests closed earlier today out of a console's view.</summary>
    public static readonly TimeSpan MinClosedWindow = TimeSpan.FromDays(1);

    /// <summary>
    /// Longest <see cref="ClosedWindow"/>: every snapshot costs what the window holds, so history belongs to ListRequests.
    /// The store refuses a longer one, since a request's audit trail looks back this far for the snapshots that held it.
    /// </summary>
    public static readonly TimeSpan MaxClosedWindow = WatchAudit.MaxClosedWindow;

    public IEnumerable<string> Problems()
    {
        if (ClosedWindow < MinClosedWindow || ClosedWindow > MaxClosedWindow)
        {
            yield return $"{Section}:ClosedWindow must be between {MinClosedWindow} and {MaxClosedWindow} (d.hh:mm:ss); it is {ClosedWindow}.";
        }
        if (MaxStreamsPerCaller < 1 || MaxStreams < MaxStreamsPerCaller)
        {
            yield return $"{Section}:MaxStreamsPerCaller must be at least 1 and {Section}:MaxStreams at least that; they are {MaxStreamsPerCaller} and {MaxStreams}.";
        }
        if (MaxHealthWatches < 1)
        {
            yield return $"{Section}:MaxHealthWatches must be at least 1; it is {MaxHealthWatches}.";
        }
    }
}
