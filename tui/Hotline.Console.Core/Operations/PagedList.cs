using Grpc.Core;
using Hotline.Console.Presentation;
using Hotline.Contract.V1;

namespace Hotline.Console.Operations;

/// <summary>Where a paged list stands.</summary>
public enum PageLoad
{
    /// <summary>Nothing asked for yet.</summary>
    NotStarted,

    /// <summary>A page is on its way.</summary>
    Loading,

    /// <summary>The last page asked for arrived.</summary>
    Loaded,

    /// <summary>The last page asked for was refused or did not arrive; asking again retries it.</summary>
    Failed,
}

/// <summary>One page as the server sent it.</summary>
/// <param name="TotalSize">How many items there are in all, when the server says; null when it does not.</param>
public sealed record Page<T>(IReadOnlyList<T> Items, string NextPageToken, int? TotalSize);

/// <summary>The result of one page fetch, applied on the UI thread by <see cref="PagedList{T}.Apply"/>.</summary>
public sealed record PageFetch<T>(Page<T>? Page, RpcException? Error);

/// <summary>
/// A list about one request (its requester's other requests, its audit trail) that the server
/// hands out a page at a time, loaded as the operator scrolls.
/// </summary>
/// <remarks>
/// Split so the UI thread never waits: <see cref="TryBegin"/> and <see cref="Apply"/> change the
/// state and run on the UI thread; <see cref="FetchAsync"/> only calls the server and may finish
/// on any thread. Refusals become words built from the status alone, never from request content.
/// </remarks>
/// <param name="origin">The request the list is about.</param>
/// <param name="what">The listing as a verb phrase for refusals: "list the audit trail of".</param>
/// <param name="displayName">`operators/{id}` -> a name to show.</param>
public abstract class PagedList<T>(HelpRequest origin, string what, Func<string, string> displayName)
{
    private readonly List<T> _items = [];
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
    private string _nextPageToken = "";
    private bool _firstPageArrived;

    public HelpRequest Origin => origin;

    public PageLoad Status { get; private set; } = PageLoad.NotStarted;

    /// <summary>The items loaded so far, in the server's order.</summary>
    public IReadOnlyList<T> Items => _items;

    /// <summary>How many items there are in all, as the server last said; null when it does not say.</summary>
    public int? TotalSize { get; private set; }

    /// <summary>True when the server has a further page.</summary>
    public bool HasMore => _firstPageArrived && _nextPageToken.Length > 0;

    /// <summary>What to tell the operator after a failure; null otherwise.</summary>
    public string? Failure { get; private set; }

    /// <summary>The status of the last failure, so a broken link can be retried once it is back.</summary>
    public StatusCode? FailureCode { get; private set; }

    /// <summary>True when the last failure was the link, not a refusal: worth asking again once reconnected.</summary>
    public bool FailedOnTheLink =>
        Status == PageLoad.Failed && FailureCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded;

    /// <summary>Starts loading the first page, the next page, or the page that failed. False when one is on its way or none is left.</summary>
    public bool TryBegin()
    {
        if (Status == PageLoad.Loading || (_firstPageArrived && Status == PageLoad.Loaded && !HasMore))
        {
            return false;
        }
        Status = PageLoad.Loading;
        Failure = null;
        FailureCode = null;
        return true;
    }

    /// <summary>Asks the server for the page <see cref="TryBegin"/> started. Never throws for a refusal.</summary>
    public async Task<PageFetch<T>> FetchAsync(CancellationToken cancellationToken)
    {
        var token = _nextPageToken;
        try
        {
            return new PageFetch<T>(await FetchPageAsync(token, cancellationToken).ConfigureAwait(false), null);
        }
        catch (RpcException error)
        {
            return new PageFetch<T>(null, error);
        }
        catch (OperationCanceledException)
        {
            return new PageFetch<T>(null, new RpcException(new Grpc.Core.Status(StatusCode.Cancelled, "The list was closed.")));
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            // Anything else is the client's own failure; its type is all the operator is told, and the list stays open.
            return new PageFetch<T>(null, new RpcException(new Grpc.Core.Status(StatusCode.Internal, error.GetType().Name)));
        }
    }

    /// <summary>Takes a fetched page (or its failure) into the list.</summary>
    public void Apply(PageFetch<T> fetch)
    {
        if (fetch.Page is { } page)
        {
            // A list paged by offsets shifts an item already shown onto the next page when one arrives in between.
            foreach (var item in page.Items.Where(i => _keys.Add(KeyOf(i))))
            {
                _items.Add(item);
            }
            TotalSize = page.TotalSize;
            _nextPageToken = page.NextPageToken;
            _firstPageArrived = true;
            Status = PageLoad.Loaded;
            return;
        }
        var error = fetch.Error!;
        FailureCode = error.StatusCode;
        Failure = Refusals.Describe(what, origin.Number, error, displayName, changes: false);
        Status = PageLoad.Failed;
    }

    /// <summary>Calls the server for the page after <paramref name="pageToken"/> (empty: the first).</summary>
    protected abstract Task<Page<T>> FetchPageAsync(string pageToken, CancellationToken cancellationToken);

    /// <summary>What identifies an item, so one shown already is not listed twice.</summary>
    protected abstract string KeyOf(T item);
}
