namespace Hotline.Storage.Tests;

/// <summary>So no test can hang: every await in these tests goes through one of these.</summary>
internal static class TaskExtensions
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static Task DefaultTimeout(this Task task) => task.WaitAsync(Timeout);

    public static Task<T> DefaultTimeout<T>(this Task<T> task) => task.WaitAsync(Timeout);

    public static Task<T> DefaultTimeout<T>(this ValueTask<T> task) => task.AsTask().WaitAsync(Timeout);
}
