using System.Text;
using Hotline.Domain;

namespace Hotline.Storage.Tests;

public abstract partial class RequestStoreContract<TStore>
{
    private static readonly byte[] FirstToken = AccessTokens.Hash(AccessTokens.New());
    private static readonly byte[] SecondToken = AccessTokens.Hash(AccessTokens.New());

    [Fact]
    public async Task Changes_AreDecidedOnTheWriter_AgainstTheStoredAccount()
    {
        using var store = await CreateStoreAsync();
        var added = await store.ExecuteAsync(new AddOperatorCommand("anna", "Anna K.", Role.Operator, FirstToken), CancellationToken.None).DefaultTimeout();
        Assert.Equal(1, added.Version);

        var duplicate = await Assert.ThrowsAsync<DomainException>(() =>
            store.ExecuteAsync(new AddOperatorCommand("anna", "Other", Role.Admin, SecondToken), CancellationToken.None).DefaultTimeout());
        Assert.Equal(ErrorKind.AlreadyExists, duplicate.Kind);
        Assert.Equal(ErrorReasons.OperatorExists, duplicate.Reason);

        var missing = await Assert.ThrowsAsync<DomainException>(() =>
            store.ExecuteAsync(new SetDisabledCommand("nobody", true), CancellationToken.None).DefaultTimeout());
        Assert.Equal(ErrorReasons.OperatorNotFound, missing.Reason);

        // Ending a session with a token that is no longer current changes nothing.
        var stale = await store.ExecuteAsync(new ReplaceTokenCommand("anna", null, OnlyIfCurrent: SecondToken), CancellationToken.None).DefaultTimeout();
        Assert.Equal(1, stale.Version);
        Assert.True(stale.Accepts(FirstToken));

        var rotated = await store.ExecuteAsync(new ReplaceTokenCommand("anna", SecondToken), CancellationToken.None).DefaultTimeout();
        Assert.Equal(2, rotated.Version);
        Assert.False(rotated.Accepts(FirstToken));
        Assert.True(rotated.Accepts(SecondToken));
        Assert.Equal(TestData.Start, rotated.RotateTime);

        var revoked = await store.ExecuteAsync(new ReplaceTokenCommand("anna", null, OnlyIfCurrent: SecondToken), CancellationToken.None).DefaultTimeout();
        Assert.Null(revoked.TokenHash);
        Assert.Equal(0, store.CommittedRevision);
    }
}
