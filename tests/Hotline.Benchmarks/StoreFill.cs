using Hotline.Domain;

namespace Hotline.Benchmarks;

/// <summary>A store filled with <see cref="Synthetic"/> requests by concurrent submitters, as a burst of intake fills it.</summary>
internal static class StoreFill
{
    private const int Submitters = 32;

    /// <summary>Submits <paramref name="count"/> requests from <paramref name="submitters"/> (32 unless given) at once; returns the stored ids, the i-th submission's at i.</summary>
    public static async Task<string[]> SubmitAsync(IRequestStore store, int count, int submitters = Submitters)
    {
        var prefix = Synthetic.NewKeyPrefix();
        var ids = new string[count];
        await Concurrently.ForEachAsync(count, submitters, async i =>
            ids[i] = (await store.SubmitAsync(Synthetic.Submission(prefix + i), CancellationToken.None)).RequestId);
        return ids;
    }
}
