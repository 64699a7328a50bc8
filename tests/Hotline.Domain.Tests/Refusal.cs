using Hotline.Domain;

namespace Hotline.Domain.Tests;

/// <summary>Asserts on the refusals clients branch on: kind, reason, metadata and violated fields.</summary>
internal static class Refusal
{
    public static DomainException Expect(ErrorKind kind, string reason, Action action)
    {
        var error = Assert.Throws<DomainException>(action);
        Assert.Equal(kind, error.Kind);
        Assert.Equal(reason, error.Reason);
        return error;
    }

    public static DomainException ExpectPrecondition(string reason, Action action) =>
        Expect(ErrorKind.FailedPrecondition, reason, action);

    /// <summary>INVALID_ARGUMENT naming exactly <paramref name="fields"/>, in order.</summary>
    public static DomainException ExpectInvalid(Action action, params string[] fields)
    {
        var error = Expect(ErrorKind.InvalidArgument, ErrorReasons.InvalidFields, action);
        Assert.Equal(fields, error.Violations.Select(v => v.Field));
        return error;
    }
}
