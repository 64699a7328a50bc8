using Hotline.Domain;
using Hotline.Protection;

namespace Hotline.Storage.Postgres;

/// <summary>Opens change-log rows for the follower and for a replay, the same way for both.</summary>
internal static class StoredChanges
{
    /// <summary>
    /// The changes of <paramref name="stored"/> opened under their data keys, in order. A change whose
    /// request's key is gone (a purge destroyed it after the change committed; the purge's DELETED
    /// change follows) cannot be opened and is left out: what a watcher can no longer read, it is not sent.
    /// </summary>
    public static List<RequestChange> Open(KeyRing ring, IReadOnlyList<(StoredChange Change, byte[]? WrappedKey)> stored)
    {
        var changes = new List<RequestChange>(stored.Count);
        foreach (var (change, wrapped) in stored)
        {
            HelpRequest? request = null;
            if (change.Request is { } sealedRequest)
            {
                using var sealer = RequestSealer.ForWrapped(ring, change.RequestId, wrapped);
                if (sealer is null)
                {
                    continue;
                }
                request = sealedRequest.Open(sealer, sealedRequest.Envelope.EarlierContacts);
            }
            changes.Add(new RequestChange(change.Revision, change.Kind, change.RequestId, request, change.Actor));
        }
        return changes;
    }

    /// <summary>Roughly the bytes a stored request holds (its sealed blobs, see <see cref="SealedRequest.SealedBytes"/>), for bounding a page in bytes.</summary>
    public static long ApproximateSize(SealedRequest? request) => 64 + (request?.SealedBytes ?? 0);
}
