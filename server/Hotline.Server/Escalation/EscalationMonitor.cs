using Hotline.Domain;
using Microsoft.Extensions.Options;

namespace Hotline.Server.Escalation;

/// <summary>
/// Records, as the server, each escalation crossing and each follow-up falling due, through the
/// store's writer like any change, so the feed, the audit trail and every console agree.
/// </summary>
/// <remarks>
/// It keeps in memory only the requests with something still to come (an unclaimed request below
/// step 2, an open follow-up not yet due) and when that is: learnt at start from the working set
/// (the open requests, found through the store's index on the clear state) and kept current from
/// every committed change. A pass looks at that set, not at what is stored, and records only what
/// is due; each record is decided inside the writer against the current row
/// (<see cref="EscalateCommand"/>, <see cref="MarkFollowUpDueCommand"/>), so a request claimed in
/// the meantime is left alone, and a second pass over the same moment writes nothing. After a
/// restart the set is read again and whatever crossed while the server was down is due at once,
/// recorded once, since the store holds what was already recorded. Time is
/// <see cref="TimeProvider"/>, so tests move it by hand. Nothing it logs names content.
/// </remarks>
public sealed class EscalationMonitor : BackgroundService, IChangeListener
{
    private readonly EscalationOptions _settings;
    private readonly EscalationRules _rules;
    private readonly Func<IRequestStore> _store;
    private readonly TimeProvider _time;
    private readonly ILogger<EscalationMonitor> _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Pending> _pending = new(StringComparer.Ordinal);
    private List<RequestChange>? _beforeLoad = [];
    private TaskCompletionSource _wake = NewWake();
    private DateTimeOffset _sleepingUntil = DateTimeOffset.MaxValue;

    /// <param name="store">Resolved when the pass starts: the store is built with this monitor as one of its listeners.</param>
    public EscalationMonitor(IOptions<EscalationOptions> options, Func<IRequestStore> store, TimeProvider time, ILogger<EscalationMonitor> logger)
    {
        _settings = options.Value;
        _rules = _settings.Rules;
        _store = store;
        _time = time;
        _logger = logger;
    }

    /// <summary>How many requests have a crossing or a follow-up still to come; what a pass looks at.</summary>
    public int PendingCount
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>When the next crossing or follow-up of <paramref name="request"/> is due; null when nothing is to come.</summary>
    public DateTimeOffset? NextDue(HelpRequest request)
    {
        if (!request.IsOpen)
        {
            return null;
        }
        var crossing = _rules.NextCrossing(request);
        var followUp = request.FollowUp is { Due: false } f ? f.DueTime : (DateTimeOffset?)null;
        return crossing is null ? followUp : followUp is null ? crossing : (crossing < followUp ? crossing : followUp);
    }

    public void OnCommitted(IReadOnlyList<RequestChange> changes)
    {
        var wake = false;
        lock (_gate)
        {
            if (_beforeLoad is not null)
            {
                _beforeLoad.AddRange(changes);
                return;
            }
            foreach (var change in changes)
            {
                wake |= Track(change.RequestId, change.Request, change.Revision);
            }
            if (wake)
            {
                _wake.TrySetResult();
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await LoadAsync(stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                var recorded = await RecordDueAsync(stoppingToken);
                await SleepAsync(recorded ? null : _settings.RetryInterval, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task LoadAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                var snapshot = await _store().ReadWorkingSetAsync(TimeSpan.Zero, stoppingToken);
                var found = new List<HelpRequest>();
                await foreach (var page in snapshot.ReadPagesAsync(100, stoppingToken))
                {
                    found.AddRange(page.Where(r => NextDue(r) is not null));
                }
                lock (_gate)
                {
                    foreach (var request in found)
                    {
                        Track(request.Id, request, request.Revision);
                    }
                    // Changes committed while the set was read: those after its revision carry the newer state.
                    foreach (var change in _beforeLoad!.Where(c => c.Revision > snapshot.Revision))
                    {
                        Track(change.RequestId, change.Request, change.Revision);
                    }
                    _beforeLoad = null;
                }
                ServerLog.EscalationWatching(_logger, found.Count);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                ServerLog.EscalationDeferred(_logger, Reason(ex));
                await Task.Delay(_settings.RetryInterval, _time, stoppingToken);
            }
        }
    }

    /// <summary>Records everything due now; false when the store refused (locked, failing), to be tried again later.</summary>
    private async Task<bool> RecordDueAsync(CancellationToken stoppingToken)
    {
        var now = _time.GetUtcNow();
        List<string> due;
        lock (_gate)
        {
            due = [.. _pending.Where(p => p.Value.Due <= now).Select(p => p.Key)];
        }
        foreach (var id in due)
        {
            try
            {
                var after = await _store().ExecuteAsync(id, new EscalateCommand(_rules), stoppingToken);
                after = await _store().ExecuteAsync(id, new MarkFollowUpDueCommand(), stoppingToken);
                lock (_gate)
                {
                    // A newer change may already have been tracked; only an entry as old as this outcome is replaced.
                    if (_pending.TryGetValue(id, out var entry) && entry.Revision <= after.Revision)
                    {
                        Track(id, after, after.Revision);
                    }
                }
            }
            catch (DomainException ex) when (ex.Kind == ErrorKind.NotFound)
            {
                lock (_gate)
                {
                    _pending.Remove(id);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                ServerLog.EscalationDeferred(_logger, Reason(ex));
                return false;
            }
        }
        return true;
    }

    private async Task SleepAsync(TimeSpan? retry, CancellationToken stoppingToken)
    {
        Task woken;
        TimeSpan delay;
        lock (_gate)
        {
            var next = retry is null && _pending.Count > 0 ? _pending.Values.Min(p => p.Due) : DateTimeOffset.MaxValue;
            var now = _time.GetUtcNow();
            delay = retry ?? (next == DateTimeOffset.MaxValue ? Timeout.InfiniteTimeSpan : Max(next - now, TimeSpan.Zero));
            _sleepingUntil = delay == Timeout.InfiniteTimeSpan ? DateTimeOffset.MaxValue : now + delay;
            _wake = NewWake();
            woken = _wake.Task;
        }
        if (delay == TimeSpan.Zero)
        {
            return;
        }
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var sleeping = delay == Timeout.InfiniteTimeSpan ? Task.Delay(Timeout.Infinite, timer.Token) : Task.Delay(delay, _time, timer.Token);
        await Task.WhenAny(sleeping, woken).WaitAsync(stoppingToken);
        await timer.CancelAsync();
    }

    /// <summary>Updates what is to come for one request; true when it is due before the pass means to wake.</summary>
    private bool Track(string id, HelpRequest? request, long revision)
    {
        var next = request is null ? null : NextDue(request);
        if (next is not { } due)
        {
            _pending.Remove(id);
            return false;
        }
        _pending[id] = new Pending(due, revision);
        return due < _sleepingUntil;
    }

    private static string Reason(Exception ex) => ex is DomainException domain ? domain.Reason : ex.GetType().Name;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static TaskCompletionSource NewWake() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly record struct Pending(DateTimeOffset Due, long Revision);
}
