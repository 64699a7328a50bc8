using Hotline.Domain;
using Hotline.Server.Flood;
using Hotline.Server.Transport;

namespace Hotline.Server.Hosting;

/// <summary>The `Hotline` configuration section: appsettings.json, then HOTLINE_* / Hotline__* environment variables, then the command line.</summary>
public sealed class HotlineOptions
{
    public const string Section = "Hotline";

    /// <summary>Where the database and its lock file live; created (owner-only) if missing.</summary>
    public string DataDirectory { get; set; } = DefaultDataDirectory();

    public AuthenticationOptions Authentication { get; set; } = new();

    public WatchOptions Watch { get; set; } = new();

    /// <summary>The certificate for https:// listen addresses; read (and checked) before the host is built.</summary>
    public TlsOptions Tls { get; set; } = new();

    /// <summary>Intake rate limits, per caller and global.</summary>
    public IntakeOptions Intake { get; set; } = new();

    public LockdownOptions Lockdown { get; set; } = new();

    /// <summary>How many changes the change log keeps for resuming watchers.</summary>
    public int ChangeLogRetention { get; set; } = 100_000;

    /// <summary>
    /// A file holding the master key (base64 of 32 random bytes): owner-only, outside the data
    /// directory. The alternative is the HOTLINE_MASTER_KEY environment variable; set one, not both.
    /// </summary>
    public string? MasterKeyFile { get; set; }

    /// <summary>
    /// Closed requests are purged this many days after they were closed; 0 turns retention off.
    /// Fractions are allowed (0.5 is twelve hours).
    /// </summary>
    public double RetentionDays { get; set; }

    /// <summary>How often the retention job looks for closed requests past <see cref="RetentionDays"/>.</summary>
    public TimeSpan RetentionCheckInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Checks the settings of this level (retention and the change log); each sub-section checks its own.</summary>
    /// <exception cref="InvalidOperationException">A setting is out of its range.</exception>
    public void Validate()
    {
        if (!double.IsFinite(RetentionDays) || RetentionDays < 0)
        {
            throw new InvalidOperationException(
                $"Hotline:RetentionDays must be 0 (keep closed requests) or a number of days after closing; it is {RetentionDays}.");
        }
        // Tests run the job every few hundred milliseconds; nothing sensible runs it more often.
        if (RetentionCheckInterval < TimeSpan.FromMilliseconds(100) || RetentionCheckInterval > TimeSpan.FromDays(1))
        {
            throw new InvalidOperationException(
                $"Hotline:RetentionCheckInterval must be between 00:00:00.1 and 1.00:00:00 (d.hh:mm:ss); it is {RetentionCheckInterval}.");
        }
        if (ChangeLogRetention < 0)
        {
            throw new InvalidOperationException($"Hotline:ChangeLogRetention must be 0 or more; it is {ChangeLogRetention}.");
        }
    }

    private static string DefaultDataDirectory()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        var root = string.IsNullOrEmpty(xdg)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share")
            : xdg;
        return Path.Combine(root, "hotline");
    }
}

/// <summary>What a lockdown requested through the admin socket does to the process.</summary>
public sealed class LockdownOptions
{
    /// <summary>
    /// Exit (with <see cref="HotlineHost.ExitLockedDown"/>) once the lock is persisted and the admin
    /// has the answer: erasing the keys cannot erase the request content, tokens and buffers the
    /// runtime still holds, but ending the process does. Its supervisor starts it again, locked,
    /// holding nothing. Off only for in-process tests that look at a locked server they keep running.
    /// </summary>
    public bool ExitProcess { get; set; } = true;
}

/// <summary>Limits on failed authentication per source address.</summary>
public sealed class AuthenticationOptions
{
    /// <summary>Failed authentications a source may make in one window before every call from it is refused.</summary>
    public int MaxFailures { get; set; } = 10;

    /// <summary>How long a window lasts; a source that reached the limit waits until its window ends.</summary>
    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <exception cref="InvalidOperationException">A setting is out of its range.</exception>
    public void Validate()
    {
        if (MaxFailures < 1)
        {
            throw new InvalidOperationException($"Hotline:Authentication:MaxFailures must be at least 1; it is {MaxFailures}.");
        }
        if (FailureWindow < TimeSpan.FromSeconds(1) || FailureWindow > TimeSpan.FromDays(1))
        {
            throw new InvalidOperationException(
                $"Hotline:Authentication:FailureWindow must be between 00:00:01 and 1.00:00:00 (d.hh:mm:ss); it is {FailureWindow}.");
        }
    }
}

/// <summary>Live feed limits. The defaults suit a hotline's console fleet; tests shorten them.</summary>
public sealed class WatchOptions
{
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

    /// <exception cref="InvalidOperationException">A setting is out of its range.</exception>
    public void Validate()
    {
        if (ClosedWindow < MinClosedWindow || ClosedWindow > MaxClosedWindow)
        {
            throw new InvalidOperationException(
                $"Hotline:Watch:ClosedWindow must be between {MinClosedWindow} and {MaxClosedWindow} (d.hh:mm:ss); it is {ClosedWindow}.");
        }
        if (MaxStreamsPerCaller < 1 || MaxStreams < MaxStreamsPerCaller)
        {
            throw new InvalidOperationException(
                $"Hotline:Watch:MaxStreamsPerCaller must be at least 1 and Hotline:Watch:MaxStreams at least that; they are {MaxStreamsPerCaller} and {MaxStreams}.");
        }
        if (MaxHealthWatches < 1)
        {
            throw new InvalidOperationException($"Hotline:Watch:MaxHealthWatches must be at least 1; it is {MaxHealthWatches}.");
        }
    }
}
