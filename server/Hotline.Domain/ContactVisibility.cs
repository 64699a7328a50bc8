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

    public static HelpRequest For(OperatorAccount viewer, HelpRequest request) =>
        SeesFullHandle(viewer, request.Assignee) || request.ContactHandle.Length == 0
            ? request
            : request with { ContactHandle = Mask(request.ContactHandle) };
}
