using Google.Protobuf.WellKnownTypes;
using Hotline.Console.Presentation;
using Hotline.Contract.V1;

namespace Hotline.Console.Tests.Presentation;

public sealed class DetailTextTests
{
    [Fact]
    public void Detail_ShowsFactsMessageAndNotesTimelineOldestFirst()
    {
        var request = Requests.Make(12, Urgency.ImmediateDanger, Requests.Chechen, RequestState.Assigned, "operators/timur", Channel.Whatsapp, "ce");
        request.Tags.Add("detention");
        request.Notes.Add(new Note { Author = "operators/timur", Text = "Позвонил, не отвечает", CreateTime = Timestamp.FromDateTimeOffset(Requests.T0.AddMinutes(20)) });
        request.Notes.Add(new Note { Author = "operators/anna", Text = "Адвокат в пути", CreateTime = Timestamp.FromDateTimeOffset(Requests.T0.AddMinutes(25)) });

        var text = DetailText.Build(request, name => name == "operators/timur" ? "Timur B." : "Anna K.", Requests.T0.AddMinutes(30), TimeZoneInfo.Utc);

        Assert.Equal(
            """
            #12 · IMMEDIATE DANGER · WhatsApp · held by Timur B. (timur)
            Received 12:12 · language ce · region Грозный
            Contact: @person12
            Tags: detention

            ГӀо де, дехар до! Сан ваша тахана лаьцна.

            Notes (2):
            12:20 Timur B. (timur): Позвонил, не отвечает
            12:25 Anna K. (anna): Адвокат в пути
            """.Replace("\r\n", "\n", StringComparison.Ordinal), text);
    }

    [Fact]
    public void ClosedRequest_SaysHowAndByWhom()
    {
        var request = Requests.Make(3, state: RequestState.Closed);
        request.ClosedBy = "operators/anna";
        request.ResolutionComment = "Referred to a lawyer";

        var text = DetailText.Build(request, _ => "Anna K.", Requests.T0.AddDays(1), TimeZoneInfo.Utc);

        Assert.Contains("closed (information given)", text, StringComparison.Ordinal);
        Assert.Contains("Closed by Anna K. (anna) at 2025-03-01 12:08: Referred to a lawyer", text, StringComparison.Ordinal);
    }
}
