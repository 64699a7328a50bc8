using Hotline.Domain;
using LiteDB;

namespace Hotline.Storage;

// Reads of single requests, and opening stored requests under their data keys.
public sealed partial class LiteDbRequestStore
{
    public async Task<HelpRequest?> GetAsync(string requestId, string reader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        ArgumentException.ThrowIfNullOrEmpty(reader);
        HelpRequest? found;
        using (await _reads.EnterAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!RequestIds.IsWellFormed(requestId))
            {
                return null;
            }
            found = _schema.Requests.FindById(requestId) is { } doc ? OpenAll([doc]).SingleOrDefault() : null;
        }
        if (found is not null)
        {
            await AuditReadAsync(reader, AuditAction.Read, [found.Id], cancellationToken).ConfigureAwait(false);
        }
        return found;
    }

    public async Task<RequestOutline?> OutlineAsync(string requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        using var lease = await _reads.EnterAsync(cancellationToken).ConfigureAwait(false);
        if (!RequestIds.IsWellFormed(requestId) || _schema.Requests.FindById(requestId) is not { } doc || !RevisionWatermark.IsRequest(doc))
        {
            return null;
        }
        var envelope = RequestDocument.Envelope(doc);
        return new RequestOutline(envelope.Id, envelope.Number, envelope.State, envelope.CreateTime, envelope.CloseTime, envelope.Assignee);
    }

    public async Task<int> CountClosedBeforeAsync(DateTimeOffset closedBefore, CancellationToken cancellationToken)
    {
        using var lease = await _reads.EnterAsync(cancellationToken).ConfigureAwait(false);
        return LiteDbRows.ClosedBefore(_schema, closedBefore).Count();
    }

    /// <summary>
    /// Opens each document under its data key, in order, leaving out those whose key is gone (being
    /// purged). Holds the vault's keys only for the time it takes: a lockdown waits for it, then erases them.
    /// </summary>
    private List<HelpRequest> OpenAll(IReadOnlyList<BsonDocument> docs)
    {
        var opened = new List<HelpRequest>(docs.Count);
        if (docs.Count == 0)
        {
            return opened;
        }
        using var keys = Vault.Enter(write: false);
        // One counter for the call: its expressions are parsed once, not once per request.
        var earlier = new EarlierContactsCount(_schema.Requests);
        // Many documents: their keys in one query by id, never every key in the store (a page costs a page).
        var wrapped = docs.Count > 64
            ? _schema.Keys.Find(BsonExpression.Create(ByIds, new BsonArray(docs.Select(d => d["_id"]))))
                .ToDictionary(d => d["_id"].AsString, StringComparer.Ordinal)
            : null;
        foreach (var doc in docs)
        {
            var id = doc["_id"].AsString;
            var keyDoc = wrapped is null ? _schema.Keys.FindById(id) : wrapped.GetValueOrDefault(id);
            using var sealer = DataKeyDocument.OpenSealer(keys.Ring, id, keyDoc);
            if (sealer is not null)
            {
                opened.Add(RequestDocument.FromBson(doc, sealer, earlier.Of(doc)));
            }
        }
        return opened;
    }
}
