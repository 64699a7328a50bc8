namespace Hotline.Protection.Tests;

public sealed class RequestIdsTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void IdsMadeLater_SortAfterEarlierOnes_AndAreWellFormed()
    {
        var times = Enumerable.Range(0, 2_000).Select(i => Start.AddMilliseconds(i * 37L * i)).ToList();

        var ids = times.Select(RequestIds.New).ToList();

        Assert.All(ids, id => Assert.True(RequestIds.IsWellFormed(id), id));
        Assert.Equal(ids, ids.Order(StringComparer.Ordinal));
        // LiteDB's default collation (invariant culture, ignoring case) orders them the same way.
        Assert.Equal(ids, ids.Order(StringComparer.Create(System.Globalization.CultureInfo.InvariantCulture, ignoreCase: true)));
    }

    [Fact]
    public void IdsMadeInTheSameMillisecond_ShareOnlyTheTimePrefix()
    {
        var ids = Enumerable.Range(0, 1_000).Select(_ => RequestIds.New(Start)).ToList();

        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Single(ids.Select(id => id[..RequestIds.PrefixCharacters]).Distinct());
        // The random part uses the whole alphabet at every position: 12 x 5 = 60 bits.
        for (var position = RequestIds.PrefixCharacters; position < RequestIds.Length; position++)
        {
            Assert.True(ids.Select(id => id[position]).Distinct().Count() >= 28, $"position {position} is not spread over the alphabet");
        }
    }

    [Fact]
    public void OneMillisecondApart_PrefixesDiffer()
    {
        var first = RequestIds.New(Start);
        var second = RequestIds.New(Start.AddMilliseconds(1));

        Assert.NotEqual(first[..RequestIds.PrefixCharacters], second[..RequestIds.PrefixCharacters]);
        Assert.True(string.CompareOrdinal(first, second) < 0);
    }

    [Fact]
    public void Period_IsSharedByIdsOfOneStretchOf2To25Milliseconds_AndOrderedLikeThem()
    {
        // The start of a period: a whole number of 2^25 ms since the ids' epoch (2020-01-01).
        var length = TimeSpan.FromMilliseconds(1L << 25);
        var epoch = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var start = epoch + length * 3_000;

        var first = RequestIds.Period(RequestIds.New(start));
        var last = RequestIds.Period(RequestIds.New(start + length - TimeSpan.FromMilliseconds(1)));
        var next = RequestIds.Period(RequestIds.New(start + length));
        var before = RequestIds.Period(RequestIds.New(start - TimeSpan.FromMilliseconds(1)));

        Assert.Equal(RequestIds.PeriodCharacters, first.Length);
        Assert.Equal(first, last);
        Assert.NotEqual(first, next);
        Assert.True(string.CompareOrdinal(before, first) < 0);
        Assert.True(string.CompareOrdinal(first, next) < 0);
        Assert.Equal(9.3, length.TotalHours, 1);
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("ab", "ab")]
    [InlineData("abcdef", "abc")]
    public void Period_OfAnyString_IsItsLeadingCharacters(string id, string period) => Assert.Equal(period, RequestIds.Period(id));
}
