using Grpc.AspNetCore.Server;
using Grpc.Core;

namespace Hotline.Server;

/// <summary>
/// Logs refused calls without handing callers the pen: a refusal happens at a rate the caller
/// chooses (bad input, a malformed body, a limit reached), so one line each would let anyone who
/// can reach the port fill the disk. The first <see cref="LinesPerWindow"/> refusals of one method
/// for one reason in each <see cref="Window"/> are logged one by one, enough to diagnose a broken
/// client; the rest are counted, and when the window closes one line per method and reason says
/// how many there were. Windows are fixed, one after another from the server's start, on the
/// injected clock, so a test moves them with a FakeTimeProvider.
/// One instance for the server; safe from any thread.
/// </summary>
public sealed class RefusalLog : IDisposable
{
    public const int LinesPerWindow = 5;

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Method and reason pairs counted at once. Methods come from routing and reasons from a fixed
    /// list, so a real server stays far below this; past it, new methods share one count.
    /// </summary>
    internal const int MaxTracked = 512;

    internal const string OtherMethods = "(other methods)";

    private readonly ILogger<RefusalLog> _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Method, string Reason), int> _counts = [];
    private readonly ITimer _timer;

    public RefusalLog(TimeProvider time, ILogger<RefusalLog> logger)
    {
        _logger = logger;
        _timer = time.CreateTimer(_ => CloseWindow(), null, Window, Window);
    }

    /// <summary>Records that <paramref name="method"/> (a full gRPC method name) was refused for <paramref name="reason"/>.</summary>
    public void Refused(string method, string reason)
    {
        int before;
        lock (_gate)
        {
            var key = (method, reason);
            if (!_counts.TryGetValue(key, out before) && _counts.Count >= MaxTracked)
            {
                key = (OtherMethods, reason);
                before = _counts.GetValueOrDefault(key);
            }
            _counts[key] = before + 1;
        }
        if (before < LinesPerWindow)
        {
            ServerLog.Refused(_logger, method, reason);
        }
    }

    /// <summary>Records a refusal of the call <paramref name="context"/> belongs to.</summary>
    public void Refused(ServerCallContext context, string reason) => Refused(MethodOf(context), reason);

    /// <summary>
    /// The method as routing matched it. <see cref="ServerCallContext.Method"/> is the request's
    /// path as sent, and routing ignores case, so a caller could otherwise make every refusal a
    /// method of its own and never reach the limit.
    /// </summary>
    public static string MethodOf(ServerCallContext context) =>
        context.GetHttpContext().GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method.FullName ?? context.Method;

    private void CloseWindow()
    {
        List<((string Method, string Reason) Key, int Count)> unlogged;
        lock (_gate)
        {
            unlogged = [.. _counts.Where(c => c.Value > LinesPerWindow).Select(c => (c.Key, c.Value - LinesPerWindow))];
            _counts.Clear();
        }
        foreach (var ((method, reason), count) in unlogged.OrderBy(u => u.Key.Method, StringComparer.Ordinal).ThenBy(u => u.Key.Reason, StringComparer.Ordinal))
        {
            ServerLog.RefusalsNotLogged(_logger, method, count, reason, (int)Window.TotalSeconds);
        }
    }

    public void Dispose() => _timer.Dispose();
}
