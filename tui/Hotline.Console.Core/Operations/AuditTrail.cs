using System.Globalization;
using Hotline.Console.Remote;
using Hotline.Contract.V1;

namespace Hotline.Console.Operations;

/// <summary>
/// The audit events naming <see cref="PagedList{T}.Origin"/>, a page at a time (ListAuditEvents,
/// oldest first), for supervisors checking who read or changed a request and when.
/// </summary>
/// <remarks>Threading as <see cref="PagedList{T}"/>. Only supervisors and admins may ask (<see cref="Presentation.AuditRows.MayRead"/>).</remarks>
public sealed class AuditTrail(IHotlineClient client, HelpRequest origin, Func<string, string> displayName)
    : PagedList<AuditEvent>(origin, "list the audit trail of", displayName)
{
    /// <summary>A request's whole life usually fits; reads and list views can add many more.</summary>
    public const int PageSize = 100;

    protected override async Task<Page<AuditEvent>> FetchPageAsync(string pageToken, CancellationToken cancellationToken)
    {
        // The server does not count a trail: no total, only whether there is a next page.
        var page = await client.ListAuditEventsAsync(Origin.Name, PageSize, pageToken, cancellationToken).ConfigureAwait(false);
        return new Page<AuditEvent>(page.Events, page.NextPageToken, TotalSize: null);
    }

    protected override string KeyOf(AuditEvent item) => item.Sequence.ToString(CultureInfo.InvariantCulture);
}
