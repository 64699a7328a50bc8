using System.Security.Cryptography;
using System.Text;
using Hotline.Domain;

namespace Hotline.Protection.Tests;

public sealed class SealedRequestTests
{
    private static readonly byte[] DataKey = [.. Enumerable.Range(0, 32).Select(i => (byte)(i * 7))];

    private static readonly HelpRequest Request = new()
    {
        Id = RequestIds.New(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero)),
        Number = 42,
        Channel = Channel.Signal,
        ContactHandle = "+7 900 123-45-67",
        Language = "ru",
        Message = "Меня ищут, нужна помощь с выездом",
        Urgency = Urgency.ImmediateDanger,
        Region = "Грозный",
        Tags = ["evacuation", "chechnya"],
        State = RequestState.Assigned,
        Assignee = "anna",
        Notes =
        [
            new Note("n1", "anna", new DateTimeOffset(2026, 3, 1, 8, 5, 0, TimeSpan.Zero), "Позвонила, перезвонить в 18:00", "client-key-1"),
            new Note("n2", "boris", new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero), "Билеты куплены"),
        ],
        ResolutionComment = "",
        CreateTime = new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero).AddTicks(1),
        UpdateTime = new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero),
        Revision = 7,
        SubmittedBy = "web-form",
    };

    [Fact]
    public void SealedThenOpened_IsTheRequest_WithTheCountTheStoreGives()
    {
        using var sealer = new RequestSealer(Request.Id, DataKey);

        var opened = SealedRequest.Seal(Request, sealer).Open(sealer, earlierContacts: 3);

        Assert.Equal(Request.Tags, opened.Tags);
        Assert.Equal(Request.Notes, opened.Notes);
        Assert.Equal(Request with { Tags = [], Notes = [], EarlierContacts = 3 }, opened with { Tags = [], Notes = [] });
    }

    [Fact]
    public void TheEnvelope_HoldsNoFreeText_AndNoBlobHoldsItInTheClear()
    {
        using var sealer = new RequestSealer(Request.Id, DataKey);

        var sealedRequest = SealedRequest.Seal(Request, sealer);

        var envelope = sealedRequest.Envelope;
        Assert.Equal(("", "", "", "", 0, 0), (envelope.ContactHandle, envelope.Message, envelope.Region, envelope.ResolutionComment, envelope.Tags.Count, envelope.Notes.Count));
        var blobs = new[] { sealedRequest.ContactHandle, sealedRequest.Message, sealedRequest.Region, sealedRequest.Tags }
            .Concat(sealedRequest.Notes.Select(n => n.Text));
        foreach (var blob in blobs)
        {
            foreach (var secret in new[] { "900 123", "ищут", "Грозный", "evacuation", "перезвонить" })
            {
                Assert.DoesNotContain(Encoding.UTF8.GetBytes(secret), [blob], new SubsequenceComparer());
            }
        }
    }

    [Fact]
    public void AFollowUpsReason_IsSealed_AndOpensBack()
    {
        using var sealer = new RequestSealer(Request.Id, DataKey);
        var followUp = new FollowUp(new DateTimeOffset(2026, 3, 2, 18, 0, 0, TimeSpan.Zero), "Перезвонить сестре в Грозный", "anna", Due: false);

        var sealedRequest = SealedRequest.Seal(Request with { FollowUp = followUp }, sealer);
        var opened = sealedRequest.Open(sealer, 0);

        Assert.Equal(followUp with { Reason = "" }, sealedRequest.Envelope.FollowUp);
        Assert.DoesNotContain(Encoding.UTF8.GetBytes("сестре"), [sealedRequest.FollowUpReason!], new SubsequenceComparer());
        Assert.Equal(followUp, opened.FollowUp);
        Assert.Null(SealedRequest.Seal(Request, sealer).FollowUpReason);
    }

    [Fact]
    public void ABlobMovedToAnotherFieldOrNote_DoesNotOpen()
    {
        using var sealer = new RequestSealer(Request.Id, DataKey);
        var sealedRequest = SealedRequest.Seal(Request, sealer);

        var swappedFields = sealedRequest with { Region = sealedRequest.Message };
        var swappedNotes = sealedRequest with
        {
            Notes = [sealedRequest.Notes[0] with { Text = sealedRequest.Notes[1].Text }, sealedRequest.Notes[1]],
        };

        Assert.Throws<CryptographicException>(() => swappedFields.Open(sealer, 0));
        Assert.Throws<CryptographicException>(() => swappedNotes.Open(sealer, 0));
    }

    [Fact]
    public void ASealerOfAnotherRequest_IsRefused()
    {
        using var other = new RequestSealer(RequestIds.New(new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero)), DataKey);

        Assert.Throws<ArgumentException>(() => SealedRequest.Seal(Request, other));
    }

    /// <summary>Equal when the second holds the first as a run of bytes.</summary>
    private sealed class SubsequenceComparer : IEqualityComparer<byte[]>
    {
        public bool Equals(byte[]? needle, byte[]? haystack) =>
            needle is not null && haystack is not null && haystack.AsSpan().IndexOf(needle) >= 0;

        public int GetHashCode(byte[] obj) => 0;
    }
}
