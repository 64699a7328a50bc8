using System.Runtime.CompilerServices;

namespace Hotline.Server.Tests;

/// <summary>Every await in a test goes through one of these, so a broken server fails a test instead of hanging the run.</summary>
internal static class TaskTimeouts
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(20);

    public static Task DefaultTimeout(this Task task, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) =>
        task.WaitAsync(Default).ContinueWith(t => Rethrow(t, file, line), TaskScheduler.Default).Unwrap();

    public static async Task<T> DefaultTimeout<T>(this Task<T> task, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        try
        {
            return await task.WaitAsync(Default);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {Default.TotalSeconds} s at {Path.GetFileName(file)}:{line}.");
        }
    }

    private static Task Rethrow(Task task, string file, int line) =>
        task.Exception?.InnerException is TimeoutException
            ? Task.FromException(new TimeoutException($"Timed out after {Default.TotalSeconds} s at {Path.GetFileName(file)}:{line}."))
            : task;
}
