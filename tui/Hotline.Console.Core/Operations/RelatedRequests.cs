using Grpc.Core;
using Hotline.Console.Presentation;
using Hotline.Console.Remote;
using Hotline.Contract.V1;

namespace Hotline.Console.Operations;

/// <summary>Where the list of related requests stands.</summary>
public enum RelatedLoad
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

/// <summary>The result of one page fetch, applied on the UI thread by <see cref="RelatedRequests.Apply"/>.</summary>
public sealed record RelatedFetch(ListRelatedRequestsResponse? Page, RpcException? Error);

/// <summary>
/// The other requests from the same requester as <see cref="Origin"/>, a page at a time
/// (ListRelatedRequests, newest first), for the list the operator opens from "3 earlier contacts".
/// </summary>
/// <remarks>
/// Split so the UI thread never waits: <see cref="TryBegin"/> and <see cref="Apply"/> change the
/// state and run on the UI thread; <see cref="FetchAsync"/> only calls the server and may finish
/// on any thread. Refusals become words built from the status alone, never from request content.
/// </remarks>
public sealed class RelatedRequests(IHotlineClient client, HelpRequest origin, Func<string, string> displayName)
{
    /// <summary>Small enough for a slow link, large enough that most requesters fit on one page.</summary>
    public const int PageSize = 50;

    private readonly List<HelpRequest> _items = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private string _nextPageToken = "";
    private bool _firstPageArrived;

    public HelpRequest Origin => origin;

    public RelatedLoad Status { get; private set; } = RelatedLoad.NotStarted;

    /// <summary>The requests loaded so far, newest first.</summary>
    public IReadOnlyList<HelpRequest> Items => _items;

    /// <summary>How many other requests the requester has, as the server last said.</summary>
    public int TotalSize { get; private set; }

    /// <summary>True when the server has a further page.</summary>
    public bool HasMore => _firstPageArrived && _nextPageToken.Length > 0;

    /// <summary>What to tell the operator after a failure; null otherwise.</summary>
    public string? Failure { get; private set; }

    /// <summary>The status of the last failure, so a broken link can be retried once it is back.</summary>
    public StatusCode? FailureCode { get; private set; }

    /// <summary>Starts loading the first page, the next page, or the page that failed. False when one is on its way or none is left.</summary>
    public bool TryBegin()
    {
        if (Status == RelatedLoad.Loading || (_firstPageArrived && Status == RelatedLoad.Loaded && !HasMore))
        {
            return false;
        }
        Status = RelatedLoad.Loading;
        Failure = null;
        FailureCode = null;
        return true;
    }

    /// <summary>Asks the server for the page <see cref="TryBegin"/> started. Never throws for a refusal.</summary>
    public async Task<RelatedFetch> FetchAsync(CancellationToken cancellationToken)
    {
        var token = _nextPageToken;
        try
        {
            var page = await client.ListRelatedAsync(origin.Name, PageSize, token, cancellationToken).ConfigureAwait(false);
            return new RelatedFetch(page, null);
        }
        catch (RpcException error)
        {
            return new RelatedFetch(null, error);
        }
        catch (OperationCanceledException)
        {
            return new RelatedFetch(null, new RpcException(new Grpc.Core.Status(StatusCode.Cancelled, "The list was closed.")));
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            // Anything else is the client's own failure; its type is all the operator is told, and the list stays open.
            return new RelatedFetch(null, new RpcException(new Grpc.Core.Status(StatusCode.Internal, error.GetType().Name)));
        }
    }

    /// <summary>Takes a fetched page (or its failure) into the list.</summary>
    public void Apply(RelatedFetch fetch)
    {
        if (fetch.Page is { } page)
        {
            // Pages are offsets: a request arriving between two pages shifts one already shown onto the next.
            foreach (var request in page.Requests.Where(r => _names.Add(r.Name)))
            {
                _items.Add(request);
            }
            TotalSize = page.TotalSize;
            _nextPageToken = page.NextPageToken;
            _firstPageArrived = true;
            Status = RelatedLoad.Loaded;
            return;
        }
        var error = fetch.Error!;
        FailureCode = error.StatusCode;
        Failure = Refusals.Describe("list the earlier contacts of", origin.Number, error, displayName, changes: false);
        Status = RelatedLoad.Failed;
    }
}
