using Hotline.Domain;
using LiteDB;

namespace Hotline.Storage.Tests;

/// <summary>Repeat contacts are linked through a keyed hash of the normalised handle, never through the handle itself.</summary>
public sealed class PseudonymTests
{
    [Fact]
    public async Task TheStoredPseudonym_IsAKeyedHashNotTheHandle()
    {
        using var directory = new TempDirectory();
        string first;
        using (var store = TestStore.InDirectory(directory.Path))
        {
            first = (await store.SubmitAsync(TestData.Submission("p") with { Channel = Channel.Sms, ContactHandle = "+79123456789" },
                CancellationToken.None).DefaultTimeout()).RequestId;
        }
        using var db = new LiteDatabase(Path.Combine(directory.Path, "hotline.db"));
        var requester = db.GetCollection(RequestDocument.Collection).FindById(first)[RequestDocument.RequesterField].AsString;

        Assert.DoesNotContain("7912", requester, StringComparison.Ordinal);
        var unkeyed = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData("phone:79123456789"u8)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Assert.DoesNotContain(unkeyed, requester, StringComparison.Ordinal);
        Assert.Equal(43 + 1 + 19, requester.Length);
    }
}
