namespace Hotline.Server.Access;

/// <summary>Why the server ended a caller's session.</summary>
public enum SessionEnd
{
    None,

    /// <summary>The token the session was opened with was rotated or revoked, or its account disabled.</summary>
    TokenRevoked,

    /// <summary>An admin locked the installation down; the token stays valid.</summary>
    LockedDown,
}

/// <summary>
/// Every long-lived call (a watch stream) registers here under the account and token it was
/// authenticated with, so a revocation or a lockdown can end it at once instead of at the
/// caller's next call, which for a stream may be hours away. Safe from any thread.
/// </summary>
public sealed class SessionRegistry
{
    private readonly Lock _gate = new();
    private readonly HashSet<CallerSession> _open = [];

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _open.Count;
            }
        }
    }

    /// <summary>The ids of the operators with at least one open session now.</summary>
    public IReadOnlySet<string> OperatorsConnected()
    {
        lock (_gate)
        {
            return _open.Where(s => s.Reason == SessionEnd.None).Select(s => s.OperatorId).ToHashSet(StringComparer.Ordinal);
        }
    }

    /// <summary>Registers a session; dispose the result when the call ends.</summary>
    public CallerSession Open(string operatorId, byte[] tokenHash) =>
        TryOpen(operatorId, tokenHash, int.MaxValue, int.MaxValue, out _) ?? throw new InvalidOperationException("No limit was set.");

    /// <summary>
    /// Registers a session unless <paramref name="operatorId"/> already holds
    /// <paramref name="perCaller"/> open sessions or the server <paramref name="total"/>; counted and
    /// added under one lock, so a burst of opens cannot pass a limit together.
    /// </summary>
    /// <param name="limit">When refused, which limit was reached: "caller" or "server".</param>
    public CallerSession? TryOpen(string operatorId, byte[] tokenHash, int perCaller, int total, out string? limit)
    {
        lock (_gate)
        {
            if (_open.Count >= total)
            {
                limit = "server";
                return null;
            }
            if (_open.Count(s => s.OperatorId == operatorId) >= perCaller)
            {
                limit = "caller";
                return null;
            }
            var session = new CallerSession(this, operatorId, tokenHash);
            _open.Add(session);
            limit = null;
            return session;
        }
    }

    /// <summary>Ends the sessions of <paramref name="operatorId"/> whose token <paramref name="stillAccepted"/> refuses.</summary>
    /// <returns>How many were ended.</returns>
    public int EndFor(string operatorId, Func<byte[], bool> stillAccepted, SessionEnd reason)
    {
        List<CallerSession> ending;
        lock (_gate)
        {
            ending = [.. _open.Where(s => s.OperatorId == operatorId && !stillAccepted(s.TokenHash))];
        }
        return End(ending, reason);
    }

    public int EndAll(SessionEnd reason)
    {
        List<CallerSession> ending;
        lock (_gate)
        {
            ending = [.. _open];
        }
        return End(ending, reason);
    }

    internal void Remove(CallerSession session)
    {
        lock (_gate)
        {
            _open.Remove(session);
        }
    }

    private static int End(List<CallerSession> sessions, SessionEnd reason)
    {
        // Cancelled outside the lock: cancellation runs the stream's callbacks synchronously.
        var ended = 0;
        foreach (var session in sessions)
        {
            if (session.End(reason))
            {
                ended++;
            }
        }
        return ended;
    }
}

/// <summary>One registered session; <see cref="Ended"/> fires when the server ends it.</summary>
public sealed class CallerSession : IDisposable
{
    private readonly SessionRegistry _registry;
    private readonly CancellationTokenSource _ended = new();
    private int _reason;

    internal CallerSession(SessionRegistry registry, string operatorId, byte[] tokenHash)
    {
        _registry = registry;
        OperatorId = operatorId;
        TokenHash = tokenHash;
    }

    public string OperatorId { get; }

    internal byte[] TokenHash { get; }

    public CancellationToken Ended => _ended.Token;

    public SessionEnd Reason => (SessionEnd)Volatile.Read(ref _reason);

    /// <summary>Ends the session; false when it had already ended.</summary>
    public bool End(SessionEnd reason)
    {
        if (Interlocked.CompareExchange(ref _reason, (int)reason, (int)SessionEnd.None) != (int)SessionEnd.None)
        {
            return false;
        }
        try
        {
            _ended.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The call finished at the same moment; there is nothing left to end.
        }
        catch (AggregateException)
        {
            // A callback registered on the session's token failed. None of Hotline's touches the
            // call (see WatchStreamReset), but the session has ended either way, and the caller
            // must go on to end every other session: a lockdown that stopped half way would leave
            // streams open.
        }
        return true;
    }

    public void Dispose()
    {
        _registry.Remove(this);
        _ended.Dispose();
    }
}
