using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using Microsoft.Extensions.DependencyInjection;
using static Hotline.Server.Tests.HotlineTestServer;

namespace Hotline.Server.Tests;

public sealed class OperationalTests
{
    [Fact]
    public async Task Health_ReportsServingWhileStoreTakesWrites()
    {
        await using var server = await StartAsync();
        var health = new Health.HealthClient(server.Channel);
        var overall = await health.CheckAsync(new HealthCheckRequest()).ResponseAsync.DefaultTimeout();
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, overall.Status);
    }

    [Fact]
    public async Task Health_ReportsNotServingDuringLockdown_AndServingAfterUnlock()
    {
        await using var server = await StartAsync();
        var health = new Health.HealthClient(server.Channel);
        var lockdown = server.Services.GetRequiredService<Hotline.Server.Admin.LockdownSwitch>();

        await lockdown.LockdownAsync(CancellationToken.None);
        var locked = await health.CheckAsync(new HealthCheckRequest()).ResponseAsync.DefaultTimeout();
        await lockdown.UnlockAsync(Convert.FromBase64String(MasterKey), CancellationToken.None);
        var unlocked = await health.CheckAsync(new HealthCheckRequest()).ResponseAsync.DefaultTimeout();

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, locked.Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, unlocked.Status);
    }

    [Fact]
    public async Task Reflection_ListsEveryHotlineService()
    {
        await using var server = await StartAsync();
        var reflection = new ServerReflection.ServerReflectionClient(server.Channel);
        using var call = reflection.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" }).DefaultTimeout();
        await call.RequestStream.CompleteAsync().DefaultTimeout();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).DefaultTimeout());
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("hotline.v1.IntakeService", services);
        Assert.Contains("hotline.v1.RequestService", services);
        Assert.Contains("hotline.v1.OperatorService", services);
        Assert.Contains("grpc.health.v1.Health", services);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task DataDirectory_IsCreatedOwnerOnly()
    {
        var directory = Path.Combine(Path.GetTempPath(), "hotline-new-" + Guid.NewGuid().ToString("N"), "nested", "data");
        await using var server = await StartAsync(dataDirectory: directory);
        Assert.True(Directory.Exists(directory));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
    }
}
