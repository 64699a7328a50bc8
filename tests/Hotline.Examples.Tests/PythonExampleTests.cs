namespace Hotline.Examples.Tests;

/// <summary>examples/python/hotline_example.py, on Debian's python3-grpcio and python3-grpc-tools.</summary>
public sealed class PythonExampleTests : ClientExampleTests
{
    // Debian's gRPC packages are for the system interpreter, whatever `python3` is first on PATH.
    private const string Python = "/usr/bin/python3";

    private protected override (string Program, string[] Prefix) Runner =>
        (Python, ["-B", Path.Combine(ExamplePaths.Examples, "python", "hotline_example.py")]);

    private protected override Task RequireToolsAsync() =>
        ExamplePaths.RequireAsync(Python, ["-c", "import grpc, grpc_tools.protoc, google.protobuf"],
            "The Python example needs /usr/bin/python3 with Debian's python3-grpcio, python3-grpc-tools and python3-protobuf " +
            "(apt-get install python3-grpcio python3-grpc-tools python3-protobuf; `bash .ci/run` does).");
}
