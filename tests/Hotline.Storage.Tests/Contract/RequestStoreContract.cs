using Hotline.Domain;
using Xunit.Abstractions;

namespace Hotline.Storage.Tests;

/// <summary>
/// What every request store must do, written only against the domain's store interfaces: intake
/// and idempotency, commands and claim races, lists and keyset paging, the gap-free change feed and
/// the working set, purges, operator accounts and the audit trail. Each store proves itself with
/// one subclass that opens a fresh, empty store (<see cref="CreateStoreAsync"/>); tests of one store's
/// files, crash recovery or costs stay in that store's own test classes. Nothing in this folder
/// names a database, so a second store's test project compiles the folder in as it is.
/// </summary>
/// <typeparam name="TStore">The store under test: one object serving all three interfaces, as the server uses it.</typeparam>
public abstract partial class RequestStoreContract<TStore>(ITestOutputHelper output)
    where TStore : IRequestStore, IOperatorStore, IAuditTrail, IDisposable
{
    protected static readonly OperatorAccount Holder = TestData.Operator(1);

    /// <summary>
    /// A new store with nothing in it, unlocked, that tells <paramref name="listener"/> of every
    /// committed change and reads the time from <paramref name="time"/> (a fake clock at
    /// <see cref="TestData.Start"/> when null). The test disposes it. Asynchronous because opening a
    /// store may talk to a database server.
    /// </summary>
    protected abstract Task<TStore> CreateStoreAsync(IChangeListener? listener = null, TimeProvider? time = null);

    /// <summary>How many requests the store purges per round of <see cref="IRequestStore.PurgeClosedBeforeAsync"/>, each round audited as one retention run.</summary>
    protected abstract int PurgeRoundSize { get; }
}
