using System.Globalization;

namespace Hotline.Storage;

/// <summary>
/// The stored form of an intake caller's idempotency key: a keyed hash, never the key. Integrators
/// choose it, and a gateway that builds it from a phone number or a message id would otherwise
/// leave exactly what sealing hides in the clear. Every store keeps receipts under this form, with
/// a unique index on it, so a retry finds the first receipt instead of storing the request twice.
/// </summary>
internal static class IntakeKeys
{
    /// <summary>
    /// The length prefix makes the key unambiguous whatever characters an operator id holds:
    /// ("a:b", "c") and ("a", "b:c") cannot meet.
    /// </summary>
    public static string Key(KeyRing ring, string submittedBy, string intakeRequestId) =>
        ring.IntakeKey(submittedBy.Length.ToString(CultureInfo.InvariantCulture) + ":" + submittedBy + ":" + intakeRequestId);
}
