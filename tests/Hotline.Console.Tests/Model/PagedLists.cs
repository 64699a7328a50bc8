using Hotline.Console.Operations;

namespace Hotline.Console.Tests.Model;

internal static class PagedLists
{
    /// <summary>Asks for the next page and takes it in, as a dialog does, without a screen.</summary>
    public static async Task LoadNextAsync<T>(this PagedList<T> list)
    {
        Assert.True(list.TryBegin());
        Assert.Equal(PageLoad.Loading, list.Status);
        list.Apply(await list.FetchAsync(CancellationToken.None).DefaultTimeout());
    }
}
