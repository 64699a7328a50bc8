using System.Globalization;

namespace Hotline.Domain;

/// <summary>
/// Who sees a requester's full contact handle. The handle is what lets someone find the person,
/// so an operator sees it only on a request they hold, when they are the one to call back.
/// Supervisors and admins see it everywhere: reassigning and reviewing work needs it, and they
/// are the people the hotline already trusts with every case.
/// </summary>
public static class ContactVisibility
{
    /// <summary>Stands for the hidden part; always the same length, so the mask says nothing about the handle's.</summary>
    public const string Hidden = "•••••";

    public static bool SeesFullHandle(OperatorAccount viewer, string? assignee) =>
        viewer.Role >= Role.Supervisor || (assignee is not null && assignee == viewer.Id);

    /// <summary>
    /// Keeps the last two characters (as a person reads them, not UTF-16 units), enough to tell two
    /// requesters apart on the phone, and only when the handle is long enough that they are not most of it.
    /// </summary>
    public static string Mask(string handle)
    {
        if (handle.Length == 0)
        {
            return "";
        }
        var elements = StringInfo.ParseCombiningCharacters(handle);
        if (elements.Length < 6)
        {
            return Hidden;
        }
        return Hidden + handle[elements[^2]..];
    }

    /// <summary>
    /// Whether <paramref name="viewer"/> may learn from <paramref name="request"/> that its requester
    /// contacted the hotline before. Never from a request they submitted themselves, whatever their
    /// role: otherwise anyone allowed to submit could type in a suspected number and read, from the
    /// earlier-contact count and the related requests, whether and about what that person asked for
    /// help (the "contact oracle" of issue 11).
    /// </summary>
    public static bool SeesRepeatContacts(OperatorAccount viewer, HelpRequest request) =>
        !string.Equals(request.SubmittedBy, viewer.Id, StringComparison.Ordinal);

    /// <summary>The request as <paramref name="viewer"/> may see it: handle masked, repeat contacts hidden, as the rules above say.</summary>
    public static HelpRequest For(OperatorAccount viewer, HelpRequest request)
    {
        var seen = SeesFullHandle(viewer, request.Assignee) || request.ContactHandle.Length == 0
            ? request
            : request with { ContactHandle = Mask(request.ContactHandle) };
        return seen.EarlierContacts == 0 || SeesRepeatContacts(viewer, request) ? seen : seen with { EarlierContacts = 0 };
    }
}
