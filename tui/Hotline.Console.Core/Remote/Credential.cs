using Grpc.Core;

namespace Hotline.Console.Remote;

/// <summary>
/// Who the console says it is on every call. Secrets come from a file or the environment,
/// never from the command line, where any local user could read them in the process list.
/// </summary>
public abstract record Credential
{
    /// <summary>Adds this credential's headers to a call.</summary>
    public abstract void AddTo(Metadata headers);

    /// <summary>Where the credential came from, safe to print (never the secret).</summary>
    public abstract string Describe();
}

/// <summary>A bearer token read from a file or HOTLINE_TOKEN.</summary>
public sealed record BearerToken(string Token, string Source) : Credential
{
    public override void AddTo(Metadata headers) => headers.Add("authorization", "Bearer " + Token);

    public override string Describe() => $"bearer token from {Source}";

    // Records print their members; this one must never print the token.
    public override string ToString() => Describe();
}
