using Hotline.Console.State;
using Hotline.Contract.V1;

namespace Hotline.Console.Presentation;

/// <summary>A live event for the alert line, and whether it rings the terminal bell.</summary>
public sealed record LiveAlert(string Text, bool Danger, bool Rings);

/// <summary>
/// Which live event of a batch the operator is told of, and when the bell rings: a request taken
/// from them outranks a new urgent one (it is about work they hold), and among new requests the
/// most urgent is named. Nothing else rings: a bell for every change would soon be ignored.
/// </summary>
public static class BellPolicy
{
    /// <param name="takenFromMe">The alert for a request taken from the operator in this batch, if any (<see cref="HeldRequests.Follow"/>).</param>
    /// <param name="bellOn">The operator's bell setting (b, --no-bell).</param>
    public static LiveAlert? For(QueueDelta delta, string? takenFromMe, bool bellOn)
    {
        if (takenFromMe is not null)
        {
            return new LiveAlert(takenFromMe, Danger: true, bellOn);
        }
        var alarming = delta.Created.Where(r => r.Urgency >= Urgency.Urgent).OrderByDescending(r => r.Urgency).FirstOrDefault();
        return alarming is null
            ? null
            : new LiveAlert(
                $"New {Labels.UrgencyLong(alarming.Urgency)} request #{alarming.Number} ({Labels.ChannelLong(alarming.Channel)}); ! jumps to the newest danger.",
                alarming.Urgency == Urgency.ImmediateDanger, bellOn);
    }
}
