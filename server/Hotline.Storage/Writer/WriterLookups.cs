namespace Hotline.Storage;

/// <summary>The writer's by-id lookups (see <see cref="IdLookup"/>), one per collection it reads by id on every write, and its earlier-contacts count.</summary>
internal sealed class WriterLookups(StoreSchema schema)
{
    public IdLookup Requests { get; } = new(schema.Requests);

    public IdLookup IntakeKeys { get; } = new(schema.IntakeKeys);

    public IdLookup Keys { get; } = new(schema.Keys);

    public EarlierContactsCount EarlierContacts { get; } = new(schema.Requests);
}
