using Hotline.Contract.V1;

namespace Hotline.Console.State;

/// <summary>
/// The console's one copy of the queue: every request the watch stream has delivered, the
/// revision it is at, the connection state and who is who. Views only render it.
/// </summary>
/// <remarks>
/// <para>
/// Not thread-safe by design: it is owned by the UI thread. The watch loop never touches it;
/// its events are queued in a <see cref="FeedInbox"/> and applied here a batch at a time, and
/// listeners hear about each batch once.
/// </para>
/// <para>
/// Who is who: every operator list the server sends (on each connect, and whenever the console
/// refreshes it) renames the people it names, and the latest one is who can be assigned work.
/// Someone who left the list (disabled, or their token revoked) keeps the name last seen, so old
/// requests do not turn back into ids. A request naming someone never seen raises
/// <see cref="OperatorsOutdated"/> once for them, so the console can fetch the list again.
/// </para>
/// </remarks>
public sealed class QueueModel
{
    private Dictionary<string, HelpRequest> _requests = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Operator> _people = new(StringComparer.Ordinal);
    private readonly HashSet<string> _askedAbout = new(StringComparer.Ordinal);
    private IReadOnlyList<Operator> _operators = [];
    private List<HelpRequest>? _pendingSnapshot;
    private bool _outdated;

    /// <summary>Raised once per applied batch or upsert that changed anything.</summary>
    public event Action<QueueDelta>? Changed;

    // Filled while one batch is applied, handed out with its delta: a change the feed repeats is dropped by revision first, so each step is told once.
    private readonly List<HelpRequest> _escalated = [];
    private readonly List<HelpRequest> _followUpsDue = [];

    /// <summary>
    /// Raised (after <see cref="Changed"/>) when a request names an operator the console has no
    /// name for; at most once per such operator, so someone the server no longer lists (disabled)
    /// does not cause a fetch on every change.
    /// </summary>
    public event Action? OperatorsOutdated;

    /// <summary>The highest revision applied: everything up to it is reflected, nothing after it.</summary>
    public long Revision { get; private set; }

    /// <summary>True once a complete snapshot has been applied.</summary>
    public bool Loaded { get; private set; }

    public ConnectionStatus Connection { get; private set; } = ConnectionStatus.Initial;

    /// <summary>The signed-in operator, once known.</summary>
    public Operator? Me { get; private set; }

    /// <summary>How many changes were dropped because they were at or below <see cref="Revision"/>.</summary>
    public long DuplicatesIgnored { get; private set; }

    public int Count => _requests.Count;

    /// <summary>How many requests are not closed; kept as changes arrive rather than counted.</summary>
    public int OpenCount { get; private set; }

    public IReadOnlyCollection<HelpRequest> Requests => _requests.Values;

    /// <summary>People a request can be given to, as the server last listed them (with who is connected), ordered by name.</summary>
    public IReadOnlyList<Operator> Operators => _operators;

    public HelpRequest? Find(string name) => _requests.GetValueOrDefault(name);

    /// <summary>
    /// The display name of `operators/{id}` as last listed by the server, or the id when none is
    /// known. Presentation adds the id where there is room (`Labels.Person`: "Anna K. (anna)").
    /// </summary>
    public string DisplayName(string operatorName)
    {
        if (_people.TryGetValue(operatorName, out var known) && known.DisplayName.Trim() is { Length: > 0 } shown)
        {
            return shown;
        }
        return operatorName.StartsWith("operators/", StringComparison.Ordinal) ? operatorName["operators/".Length..] : operatorName;
    }

    /// <summary>Applies what the watch loop delivered, in order, and notifies listeners once.</summary>
    public QueueDelta Apply(IReadOnlyList<FeedEvent> batch)
    {
        var changed = new HashSet<string>(StringComparer.Ordinal);
        var created = new List<HelpRequest>();
        var reloaded = false;
        var connectionChanged = false;
        foreach (var item in batch)
        {
            switch (item)
            {
                case StreamOpened:
                    // A stream that broke mid-snapshot left an incomplete page set; the next stream starts over.
                    _pendingSnapshot = null;
                    break;
                case IdentityKnown identity:
                    Me = identity.Me;
                    foreach (var op in identity.Operators.Append(identity.Me))
                    {
                        _people[op.Name] = op;
                    }
                    _operators = [.. identity.Operators.OrderBy(o => o.Name, StringComparer.Ordinal)];
                    connectionChanged = true;
                    break;
                case ConnectionChanged c:
                    connectionChanged |= Connection != c.Status;
                    Connection = c.Status;
                    break;
                case FeedMessage m:
                    reloaded |= ApplyMessage(m.Message, changed, created);
                    break;
            }
        }
        var delta = new QueueDelta(changed, created, reloaded, connectionChanged) { Escalated = [.. _escalated], FollowUpsDue = [.. _followUpsDue] };
        _escalated.Clear();
        _followUpsDue.Clear();
        if (delta.RequestsChanged || connectionChanged)
        {
            Changed?.Invoke(delta);
        }
        RaiseIfOutdated();
        return delta;
    }

    /// <summary>
    /// Takes a request returned by a mutation or a read, so the operator sees the result of their
    /// own action at once. The stream delivers the same version later; the newer revision wins.
    /// </summary>
    public bool Upsert(HelpRequest request)
    {
        if (_requests.TryGetValue(request.Name, out var current) && current.Revision >= request.Revision)
        {
            return false;
        }
        Replace(request.Name, request);
        NoteWhoIsNamed(request);
        Changed?.Invoke(new QueueDelta(new HashSet<string>(StringComparer.Ordinal) { request.Name }, [], Reloaded: false, ConnectionChanged: false));
        RaiseIfOutdated();
        return true;
    }

    /// <summary>Marks the list outdated when <paramref name="request"/> names someone not known and not yet asked about.</summary>
    private void NoteWhoIsNamed(HelpRequest request)
    {
        NoteOperator(request.Assignee);
        NoteOperator(request.ClosedBy);
        foreach (var note in request.Notes)
        {
            NoteOperator(note.Author);
        }
    }

    private void NoteOperator(string operatorName)
    {
        if (operatorName.Length > 0 && !_people.ContainsKey(operatorName) && _askedAbout.Add(operatorName))
        {
            _outdated = true;
        }
    }

    private void RaiseIfOutdated()
    {
        if (_outdated)
        {
            _outdated = false;
            OperatorsOutdated?.Invoke();
        }
    }

    private bool ApplyMessage(WatchRequestsResponse message, HashSet<string> changed, List<HelpRequest> created)
    {
        switch (message.EventCase)
        {
            case WatchRequestsResponse.EventOneofCase.Reset:
                _pendingSnapshot = [];
                return false;
            case WatchRequestsResponse.EventOneofCase.Snapshot:
                (_pendingSnapshot ??= []).AddRange(message.Snapshot.Requests);
                return false;
            case WatchRequestsResponse.EventOneofCase.SnapshotEnd:
                var fresh = new Dictionary<string, HelpRequest>(StringComparer.Ordinal);
                foreach (var request in _pendingSnapshot ?? [])
                {
                    fresh[request.Name] = request;
                    NoteWhoIsNamed(request);
                }
                _requests = fresh;
                OpenCount = fresh.Values.Count(IsOpen);
                _pendingSnapshot = null;
                Revision = message.SnapshotEnd.Revision;
                Loaded = true;
                changed.Clear();
                return true;
            case WatchRequestsResponse.EventOneofCase.Change:
                ApplyChange(message.Change, changed, created);
                return false;
            case WatchRequestsResponse.EventOneofCase.Progress:
                Revision = Math.Max(Revision, message.Progress.Revision);
                return false;
            default:
                return false;
        }
    }

    private void ApplyChange(RequestChange change, HashSet<string> changed, List<HelpRequest> created)
    {
        if (change.Revision <= Revision)
        {
            DuplicatesIgnored++;
            return;
        }
        Revision = change.Revision;
        if (change.Kind == ChangeKind.Deleted || change.Request is null)
        {
            if (Replace(change.Name, null))
            {
                changed.Add(change.Name);
            }
            return;
        }
        if (_requests.TryGetValue(change.Name, out var current) && current.Revision >= change.Request.Revision)
        {
            // The operator's own mutation response already put this version (or a newer one) here.
            return;
        }
        Replace(change.Name, change.Request);
        NoteWhoIsNamed(change.Request);
        changed.Add(change.Name);
        if (change.Kind == ChangeKind.Created)
        {
            created.Add(change.Request);
        }
        else if (change.Kind == ChangeKind.Escalated)
        {
            _escalated.Add(change.Request);
        }
        else if (change.Kind == ChangeKind.FollowUpDue)
        {
            _followUpsDue.Add(change.Request);
        }
    }

    /// <summary>Stores (or, when <paramref name="request"/> is null, removes) one request, keeping <see cref="OpenCount"/>; false when there was nothing to remove.</summary>
    private bool Replace(string name, HelpRequest? request)
    {
        var existed = _requests.Remove(name, out var before);
        OpenCount -= existed && IsOpen(before!) ? 1 : 0;
        if (request is null)
        {
            return existed;
        }
        _requests[name] = request;
        OpenCount += IsOpen(request) ? 1 : 0;
        return true;
    }

    private static bool IsOpen(HelpRequest request) => request.State != RequestState.Closed;
}
