using Hotline.Domain;

namespace Hotline.Domain.Tests;

public class ValidationTests
{
    // Cyrillic is one UTF-16 unit per code point; the emoji and the CJK extension B ideograph are two.
    public static readonly TheoryData<string> OneCodePoint = ["a", "ж", "😀", "𠀀"];

    private static NewHelpRequest Draft() => new()
    {
        IntakeRequestId = "form-2025-03-01.42",
        SubmittedBy = "webform",
        Channel = Channel.WebForm,
        ContactHandle = "+7 900 000-00-00",
        Language = "ru",
        Message = "Нужна помощь.\nЗа мной следят.",
        Urgency = Urgency.Urgent,
        Region = "Grozny",
        Tags = ["legal"],
    };

    private static void Accepts(NewHelpRequest draft) => Validation.CheckSubmission(draft);

    private static DomainException Rejects(NewHelpRequest draft, params string[] fields) =>
        Refusal.ExpectInvalid(() => Validation.CheckSubmission(draft), fields);

    [Fact]
    public void CheckSubmission_ValidDraft_ReturnsItWithHandleAndRegionTrimmed()
    {
        var checkedDraft = Validation.CheckSubmission(Draft() with { ContactHandle = "  @someone ", Region = " Grozny\u00A0" });

        Assert.Equal("@someone", checkedDraft.ContactHandle);
        Assert.Equal("Grozny", checkedDraft.Region);
        Assert.Equal(Draft().Message, checkedDraft.Message);
        Assert.Equal(Urgency.Urgent, checkedDraft.Urgency);
        Assert.Equal(["legal"], checkedDraft.Tags);
    }

    [Fact]
    public void CheckSubmission_OnlyRequiredFields_IsAccepted()
    {
        var minimal = new NewHelpRequest
        {
            IntakeRequestId = "1",
            SubmittedBy = "webform",
            Channel = Channel.Phone,
            Message = "?",
            Urgency = Urgency.Unspecified,
        };

        Accepts(minimal);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\n\r\n\t")]
    [InlineData("\u00A0\u2003")]
    public void CheckSubmission_MessageEmptyOrWhitespace_RejectsMessage(string message) =>
        Rejects(Draft() with { Message = message }, "message");

    [Theory]
    [MemberData(nameof(OneCodePoint))]
    public void CheckSubmission_Message8000CodePoints_IsAccepted(string unit) =>
        Accepts(Draft() with { Message = Requests.Repeat(unit, Validation.MaxMessageLength) });

    [Theory]
    [MemberData(nameof(OneCodePoint))]
    public void CheckSubmission_Message8001CodePoints_RejectsMessage(string unit)
    {
        var error = Rejects(Draft() with { Message = Requests.Repeat(unit, Validation.MaxMessageLength + 1) }, "message");

        Assert.Contains("8,000", error.Violations[0].Description, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckSubmission_EmojiMessage_CountsCodePointsNotUtf16Units()
    {
        var message = Requests.Repeat("😀", Validation.MaxMessageLength);

        Assert.Equal(2 * Validation.MaxMessageLength, message.Length);
        Assert.Equal(Validation.MaxMessageLength, Validation.CodePoints(message));
        Accepts(Draft() with { Message = message });
    }

    [Theory]
    [InlineData("line one\nline two")]
    [InlineData("windows\r\nline breaks")]
    [InlineData("a\ttab")]
    [InlineData("emoji 🆘 and RTL سلام")]
    public void CheckSubmission_MessageWithLineBreaksAndTabs_IsAccepted(string message) =>
        Accepts(Draft() with { Message = message });

    [Theory]
    [InlineData("nul\0")]
    [InlineData("bell\a")]
    [InlineData("escape\u001b[2J")]
    [InlineData("delete\u007f")]
    [InlineData("c1 control\u0090")]
    public void CheckSubmission_MessageWithControlCharacter_RejectsMessage(string message) =>
        Rejects(Draft() with { Message = message }, "message");

    [Theory]
    [MemberData(nameof(OneCodePoint))]
    public void CheckSubmission_ContactHandle256CodePoints_IsAccepted(string unit) =>
        Accepts(Draft() with { ContactHandle = Requests.Repeat(unit, Validation.MaxContactHandleLength) });

    [Theory]
    [MemberData(nameof(OneCodePoint))]
    public void CheckSubmission_ContactHandle257CodePoints_RejectsContactHandle(string unit) =>
        Rejects(Draft() with { ContactHandle = Requests.Repeat(unit, Validation.MaxContactHandleLength + 1) }, "contact_handle");

    [Theory]
    [InlineData("+7 900\n000")]
    [InlineData("@user\r")]
    [InlineData("@user\t")]
    [InlineData("\0")]
    public void CheckSubmission_ContactHandleWithControlOrLineBreak_RejectsContactHandle(string handle) =>
        Rejects(Draft() with { ContactHandle = handle }, "contact_handle");

    [Theory]
    [InlineData("")]
    [InlineData("ru")]
    [InlineData("ce")]
    [InlineData("en-GB")]
    [InlineData("sr-Latn-RS")]
    [InlineData("zh-Hant-TW")]
    [InlineData("de-CH-1996")]
    [InlineData("es-419")]
    [InlineData("zh-yue-HK")]
    [InlineData("en-US-x-twain")]
    public void CheckSubmission_LanguageTag_IsAccepted(string language) =>
        Accepts(Draft() with { Language = language });

    [Theory]
    [InlineData("r")]
    [InlineData("russian1")]
    [InlineData("abcdefghi")]
    [InlineData("en_GB")]
    [InlineData("en GB")]
    [InlineData("ru-")]
    [InlineData("-ru")]
    [InlineData("en--GB")]
    [InlineData("ру")]
    [InlineData(" ru")]
    [InlineData("ru\n")]
    [InlineData("en-abcdefgh-abcdefgh-abcdefgh-abcdefgh")]
    [InlineData("russian")]
    [InlineData("russian-please")]
    [InlineData("call-me-at-night")]
    [InlineData("en-GB-ok")]
    public void CheckSubmission_BadLanguageTag_RejectsLanguage(string language) =>
        Rejects(Draft() with { Language = language }, "language");

    [Fact]
    public void CheckSubmission_Region200CodePoints_IsAccepted() =>
        Accepts(Draft() with { Region = Requests.Repeat("ж", Validation.MaxRegionLength) });

    [Theory]
    [InlineData("ж", Validation.MaxRegionLength + 1)]
    [InlineData("Grozny\n", 1)]
    public void CheckSubmission_BadRegion_RejectsRegion(string unit, int count) =>
        Rejects(Draft() with { Region = Requests.Repeat(unit, count) }, "region");

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("new\nline")]
    [InlineData("é")]
    [InlineData("abc\n")]
    public void CheckSubmission_BadRequestId_RejectsRequestId(string requestId) =>
        Rejects(Draft() with { IntakeRequestId = requestId }, "request_id");

    [Fact]
    public void CheckSubmission_RequestIdLimits_Hold()
    {
        Accepts(Draft() with { IntakeRequestId = new string('a', Validation.MaxClientRequestIdLength) });
        Accepts(Draft() with { IntakeRequestId = "0b6f7c0e-4d8a-4c4e-9a7e-3f1d2c5b6a79" });
        Accepts(Draft() with { IntakeRequestId = "sms:gw.1_A-2" });
        Rejects(Draft() with { IntakeRequestId = new string('a', Validation.MaxClientRequestIdLength + 1) }, "request_id");
    }

    [Fact]
    public void CheckSubmission_TwentyTags_AreAccepted()
    {
        var tags = Enumerable.Range(1, Validation.MaxTags).Select(i => $"t{i}").ToList();

        Assert.Equal(tags, Validation.CheckSubmission(Draft() with { Tags = tags }).Tags);
    }

    [Fact]
    public void CheckSubmission_TwentyOneTags_RejectsTags()
    {
        var tags = Enumerable.Range(1, Validation.MaxTags + 1).Select(i => $"t{i}").ToList();

        Rejects(Draft() with { Tags = tags }, "tags");
    }

    [Theory]
    [MemberData(nameof(OneCodePoint))]
    public void CheckSubmission_Tag40CodePoints_IsAccepted(string unit) =>
        Accepts(Draft() with { Tags = [Requests.Repeat(unit, Validation.MaxTagLength)] });

    [Theory]
    [MemberData(nameof(OneCodePoint))]
    public void CheckSubmission_Tag41CodePoints_RejectsThatTag(string unit) =>
        Rejects(Draft() with { Tags = ["ok", Requests.Repeat(unit, Validation.MaxTagLength + 1)] }, "tags[1]");

    [Theory]
    [InlineData("")]
    [InlineData("two words")]
    [InlineData(" lead")]
    [InlineData("tab\t")]
    [InlineData("nbsp\u00A0")]
    [InlineData("bell\a")]
    public void CheckSubmission_TagWithWhitespaceOrControl_RejectsThatTag(string tag) =>
        Rejects(Draft() with { Tags = [tag] }, "tags[0]");

    [Fact]
    public void CheckSubmission_SeveralBadTags_NamesEachByIndex() =>
        Rejects(Draft() with { Tags = ["ok", "", "fine", "a b"] }, "tags[1]", "tags[3]");

    [Fact]
    public void CheckSubmission_DuplicateTags_KeepsFirstOfEachInOrder()
    {
        var checkedDraft = Validation.CheckSubmission(Draft() with { Tags = ["b", "a", "b", "A", "a"] });

        Assert.Equal(["b", "a", "A"], checkedDraft.Tags);
    }

    [Theory]
    [InlineData(Channel.Unspecified)]
    [InlineData((Channel)10)]
    [InlineData((Channel)(-1))]
    public void CheckSubmission_ChannelUnspecifiedOrUndefined_RejectsChannel(Channel channel) =>
        Rejects(Draft() with { Channel = channel }, "channel");

    [Fact]
    public void CheckSubmission_EveryDefinedChannel_IsAccepted()
    {
        foreach (var channel in Enum.GetValues<Channel>().Where(c => c != Channel.Unspecified))
        {
            Assert.Equal(channel, Validation.CheckSubmission(Draft() with { Channel = channel }).Channel);
        }
    }

    [Theory]
    [InlineData(Urgency.Unspecified, Urgency.Routine)]
    [InlineData(Urgency.Routine, Urgency.Routine)]
    [InlineData(Urgency.Urgent, Urgency.Urgent)]
    [InlineData(Urgency.ImmediateDanger, Urgency.ImmediateDanger)]
    public void CheckSubmission_Urgency_IsStoredWithUnspecifiedAsRoutine(Urgency given, Urgency stored) =>
        Assert.Equal(stored, Validation.CheckSubmission(Draft() with { Urgency = given }).Urgency);

    [Fact]
    public void CheckSubmission_UndefinedUrgency_RejectsUrgency() =>
        Rejects(Draft() with { Urgency = (Urgency)4 }, "urgency");

    [Fact]
    public void CheckSubmission_SeveralBadFields_NamesEveryOneInContractOrder()
    {
        var draft = Draft() with
        {
            IntakeRequestId = "",
            Channel = Channel.Unspecified,
            ContactHandle = "a\nb",
            Language = "x",
            Message = "   ",
            Urgency = (Urgency)9,
            Region = Requests.Repeat("ж", Validation.MaxRegionLength + 1),
            Tags = ["ok", "not ok"],
        };

        var error = Rejects(draft, "request_id", "channel", "contact_handle", "language", "message", "urgency", "region", "tags[1]");

        Assert.Equal(ErrorReasons.InvalidFields, error.Reason);
    }

    [Fact]
    public void CheckSubmission_Rejection_NeverRepeatsTheSubmittedContent()
    {
        const string Secret = "+7-900-SECRET";
        var draft = Draft() with
        {
            ContactHandle = Secret + Requests.Repeat("9", Validation.MaxContactHandleLength),
            Message = Secret + "\0",
        };

        var error = Rejects(draft, "contact_handle", "message");

        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
        Assert.All(error.Violations, v => Assert.DoesNotContain(Secret, v.Description, StringComparison.Ordinal));
    }
}
