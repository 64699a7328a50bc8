namespace Hotline.Server.Transport;

/// <summary>
/// The server would listen in a way that exposes requests or tokens (plaintext beyond this
/// machine), or cannot serve TLS as configured. Thrown before anything listens; the process
/// exits with <see cref="ExitCode"/>.
/// </summary>
public sealed class TransportRefusedException(string message, int exitCode) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
