using Hotline.Domain;

namespace Hotline.Storage.Tests;

public abstract partial class RequestStoreContract<TStore>
{
    [Fact]
    public async Task OneNumberInFourFormats_IsOneRequesterWithEarlierContactsAndRelatedRequests()
    {
        using var store = await CreateStoreAsync();
        var ids = new List<string>();
        var formats = new (Channel Channel, string Handle)[]
        {
            (Channel.Phone, "+7 (912) 345-67-89"), (Channel.Sms, "79123456789"), (Channel.WhatsApp, "00 7 912 345-67-89"), (Channel.Signal, "tel:+79123456789"),
        };
        foreach (var (channel, handle) in formats)
        {
            ids.Add((await store.SubmitAsync(TestData.Submission("f" + ids.Count) with { Channel = channel, ContactHandle = handle },
                CancellationToken.None).DefaultTimeout()).RequestId);
        }
        var stranger = (await store.SubmitAsync(TestData.Submission("s") with { Channel = Channel.Sms, ContactHandle = "+7 912 345 67 80" },
            CancellationToken.None).DefaultTimeout()).RequestId;
        var anonymous = (await store.SubmitAsync(TestData.Submission("a") with { ContactHandle = "" }, CancellationToken.None).DefaultTimeout()).RequestId;
        var alsoAnonymous = (await store.SubmitAsync(TestData.Submission("b") with { ContactHandle = "" }, CancellationToken.None).DefaultTimeout()).RequestId;

        var earlier = new List<int>();
        foreach (var id in ids)
        {
            earlier.Add((await store.GetAsync(id, TestData.Reader, CancellationToken.None).DefaultTimeout())!.EarlierContacts);
        }
        Assert.Equal([0, 1, 2, 3], earlier);
        Assert.Equal(0, (await store.GetAsync(stranger, TestData.Reader, CancellationToken.None).DefaultTimeout())!.EarlierContacts);
        Assert.Equal(0, (await store.GetAsync(alsoAnonymous, TestData.Reader, CancellationToken.None).DefaultTimeout())!.EarlierContacts);
        var snapshot = await store.ReadWorkingSetAsync();
        Assert.Equal([0, 1, 2, 3], ids.Select(id => snapshot.Requests.Single(r => r.Id == id).EarlierContacts));
        var listed = await store.ListAsync(new RequestQuery(), TestData.Reader, CancellationToken.None).DefaultTimeout();
        Assert.Equal(3, listed.Requests.Single(r => r.Id == ids[3]).EarlierContacts);

        var related = await store.ListRelatedAsync(ids[1], TestData.Reader, null, 10, CancellationToken.None).DefaultTimeout();
        Assert.Equal([ids[3], ids[2], ids[0]], related.Requests.Select(r => r.Id));
        Assert.Equal(3, related.TotalSize);
        var firstPage = await store.ListRelatedAsync(ids[1], TestData.Reader, null, 2, CancellationToken.None).DefaultTimeout();
        var secondPage = await store.ListRelatedAsync(ids[1], TestData.Reader, firstPage.Next?.Number, 2, CancellationToken.None).DefaultTimeout();
        Assert.Equal([ids[0]], secondPage.Requests.Select(r => r.Id));
        Assert.Empty((await store.ListRelatedAsync(anonymous, TestData.Reader, null, 10, CancellationToken.None).DefaultTimeout()).Requests);
        Assert.Empty((await store.ListRelatedAsync(stranger, TestData.Reader, null, 10, CancellationToken.None).DefaultTimeout()).Requests);
        await Assert.ThrowsAsync<DomainException>(() => store.ListRelatedAsync("aaaaaaaaaaaaaaaaaaaa", TestData.Reader, null, 10, CancellationToken.None).DefaultTimeout());

        await store.PurgeAsync(ids[0], "admin", CancellationToken.None).DefaultTimeout();
        Assert.Equal(2, (await store.GetAsync(ids[3], TestData.Reader, CancellationToken.None).DefaultTimeout())!.EarlierContacts);
    }

    [Fact]
    public async Task UsernamesLinkWithinTheirMessengerOnly()
    {
        using var store = await CreateStoreAsync();
        await store.SubmitAsync(TestData.Submission("t1") with { Channel = Channel.Telegram, ContactHandle = "@Zarema_K" }, CancellationToken.None).DefaultTimeout();
        var sameTelegram = await store.SubmitAsync(TestData.Submission("t2") with { Channel = Channel.Telegram, ContactHandle = "https://t.me/zarema_k" },
            CancellationToken.None).DefaultTimeout();
        var signal = await store.SubmitAsync(TestData.Submission("s1") with { Channel = Channel.Signal, ContactHandle = "@zarema_k" }, CancellationToken.None).DefaultTimeout();

        Assert.Equal(1, (await store.GetAsync(sameTelegram.RequestId, TestData.Reader, CancellationToken.None).DefaultTimeout())!.EarlierContacts);
        Assert.Equal(0, (await store.GetAsync(signal.RequestId, TestData.Reader, CancellationToken.None).DefaultTimeout())!.EarlierContacts);
    }

    [Fact]
    public async Task AFloodFromOneHandle_CountsEarlierContactsUpToTheCap()
    {
        using var store = await CreateStoreAsync();
        IntakeReceipt last = null!;
        for (var i = 0; i < EarlierContacts.Cap + 5; i++)
        {
            last = await store.SubmitAsync(TestData.Submission("flood-" + i), CancellationToken.None).DefaultTimeout();
        }

        Assert.Equal(EarlierContacts.Cap, (await store.GetAsync(last.RequestId, TestData.Reader, CancellationToken.None).DefaultTimeout())!.EarlierContacts);
    }

    [Fact]
    public async Task PurgingAnEarlyContact_RecountsTheLaterOnes_AndAChangeKeepsTheStoredCount()
    {
        using var store = await CreateStoreAsync();
        var ids = new List<string>();
        for (var i = 0; i < EarlierContacts.Cap + 3; i++)
        {
            ids.Add((await store.SubmitAsync(TestData.Submission("flood-" + i), CancellationToken.None).DefaultTimeout()).RequestId);
        }
        var holder = TestData.Operator(1);
        var assigned = await store.ExecuteAsync(ids[50], new AssignCommand(holder, holder), CancellationToken.None).DefaultTimeout();
        Assert.Equal(50, assigned.EarlierContacts);

        await store.PurgeAsync(ids[0], "admin", CancellationToken.None).DefaultTimeout();

        var counts = new List<int>();
        foreach (var id in ids.Skip(1))
        {
            counts.Add((await store.GetAsync(id, TestData.Reader, CancellationToken.None).DefaultTimeout())!.EarlierContacts);
        }
        // Request k (from 0) now has k - 1 earlier contacts, up to the cap, which the last two still reach.
        Assert.Equal(Enumerable.Range(1, ids.Count - 1).Select(k => Math.Min(k - 1, EarlierContacts.Cap)), counts);
    }
}
