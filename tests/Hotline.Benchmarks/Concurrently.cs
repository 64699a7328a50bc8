namespace Hotline.Benchmarks;

/// <summary>
/// A numbered batch of calls shared among concurrent callers, as a burst of independent clients
/// makes them: each caller takes the next number as soon as its last call is answered, so a slow
/// call holds up one caller, not the batch. Calls finish in no fixed order.
/// </summary>
internal static class Concurrently
{
    /// <summary>Makes <paramref name="call"/>(0) to <paramref name="call"/>(<paramref name="count"/> - 1) from <paramref name="callers"/> callers at once.</summary>
    public static Task ForEachAsync(int count, int callers, Func<int, Task> call)
    {
        var next = -1;
        return Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                await call(i);
            }
        })));
    }
}
