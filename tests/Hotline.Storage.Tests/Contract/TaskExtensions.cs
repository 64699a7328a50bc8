namespace Hotline.Storage.Tests;

/// <summary>So no test can hang: every await in these tests goes through one of these.</summary>
internal static class TaskExtensions
{
    // A guard against hangs, not a speed limit: a thousand queued writes each seal fields, wrap a key
    // and append an audit record, and on a shared 2-core CI machine that can take longer than 10 s.
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static Task DefaultTimeout(this Task task) => task.WaitAsync(Timeout);

    public static Task<T> DefaultTimeout<T>(this Task<T> task) => task.WaitAsync(Timeout);

    public static Task<T> DefaultTimeout<T>(this ValueTask<T> task) => task.AsTask().WaitAsync(Timeout);
}
