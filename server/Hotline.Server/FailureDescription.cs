using System.Text;

namespace Hotline.Server;

/// <summary>
/// How an unexpected failure is described in a log: its type and the stack frames of it and its
/// inner exceptions, never a message. A library's message may quote its input (a request's text,
/// a contact handle), and logs outlive the data they describe; the type and the frames say where
/// it broke, which is what fixing it needs. Every log of an unexpected failure goes through here.
/// </summary>
internal static class FailureDescription
{
    /// <summary>The exception's type; for a wrapper (aggregate, invocation) the type it wraps.</summary>
    public static string TypeOf(Exception? exception)
    {
        var shown = exception is AggregateException or System.Reflection.TargetInvocationException && exception.InnerException is not null
            ? exception.InnerException
            : exception;
        return shown?.GetType().FullName ?? "unknown";
    }

    /// <summary>Types and stack frames of the exception and its inner ones, without their messages.</summary>
    public static string StackOf(Exception? exception)
    {
        var text = new StringBuilder();
        for (var current = exception; current is not null; current = current.InnerException)
        {
            text.Append(" <- ").Append(current.GetType().FullName).Append(' ').Append(current.StackTrace);
        }
        return text.ToString();
    }
}
