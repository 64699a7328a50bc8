namespace Hotline.Examples.Tests;

/// <summary>examples/node/hotline_example.js, on @grpc/grpc-js and @grpc/proto-loader from npm.</summary>
public sealed class NodeExampleTests : ClientExampleTests
{
    private static string Example => Path.Combine(ExamplePaths.Examples, "node");

    private protected override (string Program, string[] Prefix) Runner => ("node", [Path.Combine(Example, "hotline_example.js")]);

    private protected override Task RequireToolsAsync() =>
        ExamplePaths.RequireAsync("node", ["-e", $"require.resolve('@grpc/grpc-js', {{ paths: [{System.Text.Json.JsonSerializer.Serialize(Example)}] }})"],
            "The Node example needs node and its locked packages: run `npm ci` in examples/node (`bash .ci/run` does).");
}
