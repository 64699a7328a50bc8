using Grpc.Core;
using Hotline.Domain;
using Hotline.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Hotline.Server.Grpc;

/// <summary>
/// The one place that answers "who is calling". Every service method asks it; replacing the
/// development implementation with real credentials changes nothing else.
/// </summary>
public interface ICallerResolver
{
    /// <summary>The caller, or UNAUTHENTICATED.</summary>
    OperatorAccount Resolve(ServerCallContext context);
}

/// <summary>
/// Development identity: trusts the `x-hotline-operator` header, else the configured default.
/// Only for development and tests; it authenticates nobody.
/// </summary>
public sealed class DevelopmentCallerResolver(IOperatorDirectory directory, IOptions<HotlineOptions> options) : ICallerResolver
{
    public const string OperatorHeader = "x-hotline-operator";

    public OperatorAccount Resolve(ServerCallContext context)
    {
        var claimed = context.RequestHeaders.GetValue(OperatorHeader) ?? options.Value.DevelopmentIdentity;
        var account = directory.Find(claimed);
        if (account is null || account.Disabled)
        {
            throw new DomainException(ErrorKind.Unauthenticated, ErrorReasons.Unauthenticated,
                "The caller is not a known, enabled operator.");
        }
        return account;
    }
}
