using Hotline.Console.Presentation;

namespace Hotline.Console.Tests.Presentation;

public sealed class LabelsTests
{
    [Theory]
    [InlineData(0, "0s")]
    [InlineData(59, "59s")]
    [InlineData(60, "1m")]
    [InlineData(3599, "59m")]
    [InlineData(3600, "1h00")]
    [InlineData(3900, "1h05")]
    [InlineData(86399, "23h59")]
    [InlineData(86400 * 3, "3d")]
    [InlineData(-5, "0s")]
    public void Age_FitsFiveColumns(int seconds, string expected) => Assert.Equal(expected, Labels.Age(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData("\n\n  Мужа задержали\nвторая строка", "Мужа задержали")]
    [InlineData("ГӀо де!\tдехар до", "ГӀо де! дехар до")]
    [InlineData("hello\u001b[2Jworld", "hello[2Jworld")]
    [InlineData("   ", "")]
    public void FirstLine_IsTheFirstNonBlankLineWithoutControlCharacters(string message, string expected) =>
        Assert.Equal(expected, Labels.FirstLine(message));

    [Fact]
    public void Printable_KeepsLineBreaksButDropsEscapes() =>
        Assert.Equal("a\nb[31mc", Labels.Printable("a\nb\u001b[31mc\u0007"));
}
