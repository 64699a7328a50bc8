using Hotline.Domain;
using Xunit.Abstractions;

namespace Hotline.Storage.Tests;

/// <summary>The LiteDB store against the store contract, each test on its own in-memory database.</summary>
public sealed class LiteDbRequestStoreContractTests(ITestOutputHelper output) : RequestStoreContract<LiteDbRequestStore>(output)
{
    protected override Task<LiteDbRequestStore> CreateStoreAsync(IChangeListener? listener = null, TimeProvider? time = null) =>
        Task.FromResult(TestStore.InMemory(listener, time: time));

    protected override int PurgeRoundSize => LiteDbRequestStore.RetentionRoundSize;
}
