using System.Text.Json;
using Hotline.Contract.Client;
using Hotline.Contract.V1;
using Hotline.Tests;

namespace Hotline.Console.Tests.Dependencies;

/// <summary>
/// The contract library and the console run on the plain .NET runtime: an integrator who
/// references the contract, or an operator who installs the console, must not need ASP.NET Core
/// (issue 12, item 9). The server is the only part that hosts gRPC and so the only part that needs it.
/// </summary>
public sealed class ClientDependencyTests
{
    [Fact]
    public void ContractAssembly_ReferencesNoAspNetCoreAssembly()
    {
        var contract = typeof(HelpRequest).Assembly;
        Assert.Same(contract, typeof(HotlineChannel).Assembly);

        var aspNetCore = contract.GetReferencedAssemblies()
            .Select(name => name.Name ?? "")
            .Where(name => name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal))
            .ToList();

        Assert.Empty(aspNetCore);
    }

    [Fact]
    public void ConsoleRuntimeConfig_AsksOnlyForTheNetCoreRuntime()
    {
        var runtimeConfig = Path.ChangeExtension(BuiltBinaries.Console, ".runtimeconfig.json");
        using var document = JsonDocument.Parse(File.ReadAllText(runtimeConfig));
        var options = document.RootElement.GetProperty("runtimeOptions");
        var frameworks = new List<string>();
        if (options.TryGetProperty("framework", out var framework))
        {
            frameworks.Add(framework.GetProperty("name").GetString() ?? "");
        }
        if (options.TryGetProperty("frameworks", out var several))
        {
            frameworks.AddRange(several.EnumerateArray().Select(f => f.GetProperty("name").GetString() ?? ""));
        }

        Assert.Equal(["Microsoft.NETCore.App"], frameworks);
    }
}
