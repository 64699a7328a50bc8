using Hotline.Console.Demo;

namespace Hotline.Console.Tests.Model;

public sealed class DemoRequestsTests
{
    [Fact]
    public void LaterDemoRequests_SometimesComeAgainFromASeededRequester()
    {
        var seeded = DemoRequests.Seed().ToList();
        var seededHandles = seeded.Select(r => r.ContactHandle).ToHashSet();
        var random = new Random(7);

        var later = Enumerable.Range(0, 300).Select(_ => DemoRequests.Next(random)).ToList();
        var repeats = later.Where(r => seededHandles.Contains(r.ContactHandle)).ToList();

        // About a third, each with the message of the seeded request it repeats.
        Assert.InRange(repeats.Count, 60, 140);
        Assert.All(repeats, r => Assert.Contains(seeded, s => s.ContactHandle == r.ContactHandle && s.Message == r.Message));
        Assert.Equal(later.Count, later.Select(r => r.RequestId).Distinct().Count());
    }
}
