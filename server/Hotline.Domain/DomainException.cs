using System.Diagnostics.CodeAnalysis;

namespace Hotline.Domain;

/// <summary>The class of a refusal; the gRPC adapter maps each to one status code.</summary>
public enum ErrorKind
{
    InvalidArgument,
    NotFound,
    FailedPrecondition,
    Aborted,
    PermissionDenied,
    Unauthenticated,
    Unavailable,
    AlreadyExists,
}

/// <summary>One bad input field, named by its path in the contract.</summary>
public sealed record FieldViolation(string Field, string Description);

/// <summary>
/// A refusal the caller can act on. Messages and metadata name fields, states and operators,
/// never the content of a request.
/// </summary>
public sealed class DomainException : Exception
{
    public DomainException(ErrorKind kind, string reason, string message,
        IReadOnlyDictionary<string, string>? metadata = null,
        IReadOnlyList<FieldViolation>? violations = null)
        : base(message)
    {
        Kind = kind;
        Reason = reason;
        Metadata = metadata ?? new Dictionary<string, string>();
        Violations = violations ?? [];
    }

    public ErrorKind Kind { get; }

    /// <summary>UPPER_SNAKE_CASE, stable; clients branch on it.</summary>
    public string Reason { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }
    public IReadOnlyList<FieldViolation> Violations { get; }

    [DoesNotReturn]
    public static void ThrowInvalid(IReadOnlyList<FieldViolation> violations) =>
        throw new DomainException(ErrorKind.InvalidArgument, ErrorReasons.InvalidFields,
            "Invalid fields: " + string.Join(", ", violations.Select(v => v.Field)) + ".", violations: violations);

    [DoesNotReturn]
    public static void ThrowInvalid(string field, string description) =>
        ThrowInvalid([new FieldViolation(field, description)]);

    [DoesNotReturn]
    public static void ThrowRequestNotFound(string requestId) =>
        throw new DomainException(ErrorKind.NotFound, ErrorReasons.RequestNotFound,
            $"Request {requestId} does not exist.", new Dictionary<string, string> { ["request"] = requestId });

    [DoesNotReturn]
    public static void ThrowPrecondition(string reason, string message, IReadOnlyDictionary<string, string>? metadata = null) =>
        throw new DomainException(ErrorKind.FailedPrecondition, reason, message, metadata);

    /// <summary>
    /// Related requests asked for by the request's own submitter: refused by every store (see
    /// <see cref="ContactVisibility.SeesRepeatContacts"/>), as a submitter could otherwise look up
    /// anyone's history by their number.
    /// </summary>
    public static DomainException OwnSubmission(string requestId) =>
        new(ErrorKind.PermissionDenied, ErrorReasons.OwnSubmission,
            $"Related requests are not shown for requests/{requestId}: you submitted it yourself, and a submitter must not learn " +
            "from it who contacted the hotline before. A colleague can open them.",
            new Dictionary<string, string> { ["request"] = "requests/" + requestId });

    /// <summary>
    /// The vault is locked. A read is FAILED_PRECONDITION (it will not succeed until an admin acts);
    /// a write is UNAVAILABLE, because nothing was changed and the same call, retried after the
    /// unlock, succeeds: intake callers keep retrying with the same request id and nothing is lost.
    /// </summary>
    public static DomainException LockedDown(bool write) =>
        new(write ? ErrorKind.Unavailable : ErrorKind.FailedPrecondition, ErrorReasons.LockedDown,
            write
                ? "The server is locked down and stores nothing until an admin unlocks it; retry later with the same request id."
                : "The server is locked down: no request content is served until an admin unlocks it with the master key.");

    [DoesNotReturn]
    public static void ThrowPermissionDenied(Role required, string message) =>
        throw new DomainException(ErrorKind.PermissionDenied, ErrorReasons.PermissionDenied, message,
            new Dictionary<string, string> { ["required_role"] = required.ToString().ToUpperInvariant() });
}

/// <summary>The reasons carried in ErrorInfo; the contract documents each.</summary>
public static class ErrorReasons
{
    public const string InvalidFields = "INVALID_FIELDS";
    public const string RequestNotFound = "REQUEST_NOT_FOUND";
    public const string OperatorNotFound = "OPERATOR_NOT_FOUND";
    public const string OperatorDisabled = "OPERATOR_DISABLED";
    public const string OperatorExists = "OPERATOR_EXISTS";
    public const string AlreadyAssigned = "ALREADY_ASSIGNED";
    public const string NotAssigned = "NOT_ASSIGNED";
    public const string NotAssignee = "NOT_ASSIGNEE";
    public const string RequestClosed = "REQUEST_CLOSED";
    public const string RequestOpen = "REQUEST_OPEN";
    public const string EtagMismatch = "ETAG_MISMATCH";
    public const string PermissionDenied = "PERMISSION_DENIED";
    public const string Unauthenticated = "UNAUTHENTICATED";
    public const string ShuttingDown = "SHUTTING_DOWN";
    public const string StorageFailed = "STORAGE_FAILED";
    public const string LockedDown = "LOCKED_DOWN";
    public const string MasterKeyMismatch = "MASTER_KEY_MISMATCH";
    public const string RateLimited = "RATE_LIMITED";
    public const string TokenRevoked = "TOKEN_REVOKED";
    public const string WatchTooSlow = "WATCH_TOO_SLOW";
    public const string TooManyWatches = "TOO_MANY_WATCHES";
    public const string OwnSubmission = "OWN_SUBMISSION";

    /// <summary>The request body is not one well-formed gRPC message of the method's request type.</summary>
    public const string MalformedMessage = "MALFORMED_MESSAGE";

    /// <summary>The request message, or what it inflates to, is larger than the server accepts.</summary>
    public const string MessageTooLarge = "MESSAGE_TOO_LARGE";

    /// <summary>The request's grpc-encoding is not one the server inflates for that call.</summary>
    public const string UnsupportedEncoding = "UNSUPPORTED_ENCODING";
}
