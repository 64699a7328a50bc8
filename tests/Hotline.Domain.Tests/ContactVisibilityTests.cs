using Hotline.Domain;

namespace Hotline.Domain.Tests;

public sealed class ContactVisibilityTests
{
    [Theory]
    [InlineData("+7 900 123-45-42", "•••••42")]
    [InlineData("@someone", "•••••ne")]
    [InlineData("abcdef", "•••••ef")]
    [InlineData("abcde", "•••••")]
    [InlineData("42", "•••••")]
    [InlineData("", "")]
    [InlineData("мама👩‍👧x", "•••••👩‍👧x")]
    public void Mask_KeepsTheLastTwoCharactersOfLongEnoughHandles(string handle, string masked) =>
        Assert.Equal(masked, ContactVisibility.Mask(handle));

    [Theory]
    [InlineData("anna", "anna", true)]
    [InlineData("anna", "boris", false)]
    [InlineData("anna", null, false)]
    [InlineData("sofia", "boris", true)]
    [InlineData("root", null, true)]
    [InlineData("webform", null, false)]
    public void FullHandle_OnlyForTheHolderSupervisorsAndAdmins(string viewer, string? assignee, bool full) =>
        Assert.Equal(full, ContactVisibility.SeesFullHandle(People.Named(viewer), assignee));
}
