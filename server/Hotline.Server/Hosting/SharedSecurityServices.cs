using Hotline.Domain;
using Hotline.Server.Access;
using Hotline.Server.Admin;
using Hotline.Server.Flood;

namespace Hotline.Server.Hosting;

/// <summary>
/// What makes several servers on one shared store act as one on security: a store that offers
/// <see cref="ISharedSecurityState"/> (PostgreSQL) gets the <see cref="SecurityStateFollower"/>
/// and rate limits kept in the database; any other store (LiteDB) keeps this server's own limits,
/// and the follower does nothing. Decided from the store itself, so choosing the store is all it takes.
/// </summary>
internal static class SharedSecurityServices
{
    public static IServiceCollection AddSharedSecurity(this IServiceCollection services)
    {
        services.AddSingleton(sp => SharedSecurity.Of(sp.GetRequiredService<IRequestStore>()));
        services.AddSingleton<IIntakeLimiter>(sp => sp.GetRequiredService<SharedSecurity>().State?.RateLimits is { } limits
            ? ActivatorUtilities.CreateInstance<SharedIntakeRateLimiter>(sp, limits)
            : sp.GetRequiredService<IntakeRateLimiter>());
        services.AddSingleton<IAuthenticationFailureLimit>(sp => sp.GetRequiredService<SharedSecurity>().State?.RateLimits is { } limits
            ? ActivatorUtilities.CreateInstance<SharedFailedAuthenticationLimiter>(sp, limits)
            : sp.GetRequiredService<FailedAuthenticationLimiter>());
        // After the start-up sequence, which loads the accounts this follows; stopped before the store closes.
        services.AddHostedService<SecurityStateFollower>();
        return services;
    }
}
