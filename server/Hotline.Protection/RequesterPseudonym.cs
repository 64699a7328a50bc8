using Hotline.Domain;

namespace Hotline.Protection;

/// <summary>
/// The keyed hash a store keeps instead of a contact handle, so repeat contacts from one requester
/// are linked without a searchable phone number: HMAC-SHA256 under the ring's pseudonym key of the
/// handle's normal form (<see cref="ContactHandles"/>). Every store must compute it the same way,
/// or a requester's history would split at a change of store.
/// </summary>
public static class RequesterPseudonym
{
    /// <summary>The pseudonym, or null for a handle without a normal form (empty): such requests are never linked.</summary>
    public static byte[]? Of(KeyRing ring, Channel channel, string contactHandle)
    {
        ArgumentNullException.ThrowIfNull(ring);
        return ContactHandles.Normalise(channel, contactHandle) is { } normal ? ring.Pseudonym(normal) : null;
    }
}
