using Hotline.Console.Remote;
using Hotline.Contract.V1;

namespace Hotline.Console.Operations;

/// <summary>
/// The other requests from the same requester as <see cref="PagedList{T}.Origin"/>, a page at a time
/// (ListRelatedRequests, newest first), for the list the operator opens from "3 earlier contacts".
/// </summary>
/// <remarks>Threading as <see cref="PagedList{T}"/>.</remarks>
public sealed class RelatedRequests(IHotlineClient client, HelpRequest origin, Func<string, string> displayName)
    : PagedList<HelpRequest>(origin, "list the earlier contacts of", displayName)
{
    /// <summary>Small enough for a slow link, large enough that most requesters fit on one page.</summary>
    public const int PageSize = 50;

    protected override async Task<Page<HelpRequest>> FetchPageAsync(string pageToken, CancellationToken cancellationToken)
    {
        var page = await client.ListRelatedAsync(Origin.Name, PageSize, pageToken, cancellationToken).ConfigureAwait(false);
        return new Page<HelpRequest>(page.Requests, page.NextPageToken, page.TotalSize);
    }

    protected override string KeyOf(HelpRequest item) => item.Name;
}
