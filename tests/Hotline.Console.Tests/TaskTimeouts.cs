using System.Runtime.CompilerServices;

namespace Hotline.Console.Tests;

/// <summary>Every await in a test goes through this, so a broken console or server fails a test instead of hanging the run.</summary>
internal static class TaskTimeouts
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(20);

    public static async Task DefaultTimeout(this Task task, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        try
        {
            await task.WaitAsync(Default);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {Default.TotalSeconds} s at {Path.GetFileName(file)}:{line}.");
        }
    }

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
}
