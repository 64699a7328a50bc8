using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Hotline.Server;

/// <summary>
/// A feature's settings that know their own ranges. Each feature owns one such type, bound to its
/// own configuration section, so no feature reaches into another's settings to read its own.
/// </summary>
public interface ICheckedOptions
{
    /// <summary>What is out of range, one sentence per setting, each naming its configuration key; empty when all is well.</summary>
    IEnumerable<string> Problems();
}

/// <summary>Registers <see cref="ICheckedOptions"/> with the options pattern, checked when the host starts.</summary>
public static class CheckedOptionsRegistration
{
    /// <summary>
    /// Binds <typeparamref name="T"/> to <paramref name="section"/> and checks it at start, so an
    /// out-of-range value stops the server before it listens instead of surfacing at the first call.
    /// </summary>
    public static OptionsBuilder<T> AddCheckedOptions<T>(this IServiceCollection services, string section)
        where T : class, ICheckedOptions
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<T>, ProblemCheck<T>>());
        return services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();
    }

    private sealed class ProblemCheck<T> : IValidateOptions<T>
        where T : class, ICheckedOptions
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var problems = options.Problems().ToList();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
