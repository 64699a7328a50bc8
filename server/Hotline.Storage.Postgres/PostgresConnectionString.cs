using System.Net.Sockets;
using Hotline.Domain;
using Npgsql;

namespace Hotline.Storage.Postgres;

/// <summary>
/// What a server may say about its connection string, and how it checks one before using it: the
/// only code outside this project that sees a connection string passes it through here, so no
/// message, log line or exception it writes ever carries the password.
/// </summary>
public static class PostgresConnectionString
{
    /// <summary>Why <paramref name="connectionString"/> cannot be used (a sentence without its values), or null when it parses.</summary>
    public static string? Problem(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (string.IsNullOrWhiteSpace(builder.Host))
            {
                return "it names no Host";
            }
            return null;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException)
        {
            // Npgsql's message may quote the offending part, which may be the password.
            return "it does not parse as an Npgsql connection string (Key=value;Key=value)";
        }
    }

    /// <summary>Where the database is, for logs and messages: host, port, database and user, never the password.</summary>
    public static string Describe(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            return $"database {builder.Database ?? builder.Username ?? "(default)"} at {builder.Host}:{builder.Port} as {builder.Username ?? "(current user)"}";
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException)
        {
            return "(unparsable connection string)";
        }
    }

    /// <summary>
    /// Opens <see cref="PostgresRequestStore"/> as <see cref="PostgresRequestStore.OpenAsync"/> does,
    /// and turns a database that cannot be reached or used into <see cref="DatabaseUnavailableException"/>,
    /// whose message names the database (never the password) and what it answered.
    /// </summary>
    /// <exception cref="DatabaseUnavailableException">The server is unreachable, refuses the login, or the database is missing or not writable.</exception>
    /// <exception cref="MasterKeyException">The master key is missing or not the one the data was sealed with.</exception>
    public static async Task<PostgresRequestStore> OpenStoreAsync(string connectionString, RequestStoreOptions options, TimeProvider timeProvider,
        IChangeListener changeListener, Microsoft.Extensions.Logging.ILogger logger, byte[]? masterKey, CancellationToken cancellationToken)
    {
        try
        {
            return await PostgresRequestStore.OpenAsync(connectionString, options, timeProvider, changeListener, logger, masterKey,
                reReadInterval: null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            throw Unavailable(connectionString, ex);
        }
    }

    /// <summary>Whether <paramref name="exception"/> says the database could not be reached or used.</summary>
    internal static bool IsUnavailable(Exception exception) =>
        exception is NpgsqlException or SocketException or TimeoutException || (exception is IOException && exception.InnerException is SocketException);

    /// <summary>The exception a caller reports for <paramref name="exception"/>, naming the database, never its password.</summary>
    internal static DatabaseUnavailableException Unavailable(string connectionString, Exception exception) => new(
        $"PostgreSQL ({Describe(connectionString)}) could not be used: {Scrub(Reason(exception), connectionString)}. " +
        "Check that the database server runs and is reachable from here, that the database and user exist and the password is right, " +
        "and Hotline:Postgres:ConnectionString.", exception);

    private static string Reason(Exception exception) => exception switch
    {
        PostgresException postgres => $"the server answered {postgres.SqlState} ({postgres.MessageText})",
        _ when exception.InnerException is SocketException socket => $"{exception.Message.TrimEnd('.')} ({socket.SocketErrorCode})",
        _ => exception.Message.TrimEnd('.'),
    };

    /// <summary>Npgsql does not quote passwords in its messages; this makes sure of it.</summary>
    private static string Scrub(string message, string connectionString)
    {
        string? password = null;
        try
        {
            password = new NpgsqlConnectionStringBuilder(connectionString).Password;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException)
        {
        }
        return string.IsNullOrEmpty(password) ? message : message.Replace(password, "(password)", StringComparison.Ordinal);
    }
}

/// <summary>The PostgreSQL database could not be reached or used; the message names it and says what it answered, never the password.</summary>
public sealed class DatabaseUnavailableException(string message, Exception inner) : Exception(message, inner);
