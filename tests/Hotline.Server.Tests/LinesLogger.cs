using Microsoft.Extensions.Logging;

namespace Hotline.Server.Tests;

/// <summary>A logger that keeps each formatted line, for tests of what the server logs.</summary>
internal sealed class LinesLogger<T> : ILogger<T>
{
    public List<string> Written { get; } = [];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (Written)
        {
            Written.Add(formatter(state, exception));
        }
    }
}
