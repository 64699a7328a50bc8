using Hotline.Domain;

namespace Hotline.Domain.Tests;

public sealed class ContactHandlesTests
{
    [Theory]
    [InlineData(Channel.Phone, "+7 (912) 345-67-89", "phone:79123456789")]
    [InlineData(Channel.Sms, "+79123456789", "phone:79123456789")]
    [InlineData(Channel.WhatsApp, "007 912 345 67 89", "phone:79123456789")]
    [InlineData(Channel.Signal, "tel:+7-912-345-67-89", "phone:79123456789")]
    [InlineData(Channel.Phone, " 79123456789 ", "phone:79123456789")]
    [InlineData(Channel.Phone, "+７９１２３４５６７８９", "phone:79123456789")]
    [InlineData(Channel.Phone, "8 912 345 67 89", "phone:89123456789")]
    [InlineData(Channel.Email, "Zarema@Example.ORG", "email:zarema@example.org")]
    [InlineData(Channel.WebForm, "mailto:zarema@example.org", "email:zarema@example.org")]
    [InlineData(Channel.Telegram, "@Zarema_K", "telegram:zarema_k")]
    [InlineData(Channel.Telegram, "zarema_k", "telegram:zarema_k")]
    [InlineData(Channel.Telegram, "https://t.me/Zarema_K", "telegram:zarema_k")]
    [InlineData(Channel.Signal, "@zarema_k", "signal:zarema_k")]
    [InlineData(Channel.Telegram, "1234", "telegram:1234")]
    public void Normalise_FollowsTheDocumentedRules(Channel channel, string handle, string expected) =>
        Assert.Equal(expected, ContactHandles.Normalise(channel, handle));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("@")]
    [InlineData("tel:")]
    public void Normalise_HasNoFormForAnEmptyHandle(string handle) =>
        Assert.Null(ContactHandles.Normalise(Channel.Telegram, handle));
}
