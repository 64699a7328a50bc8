using System.Globalization;
using Hotline.Contract.V1;

namespace Hotline.Console.Demo;

/// <summary>
/// Invented, plausible requests for demo mode: several languages and scripts (Russian,
/// Chechen, Ukrainian, Tajik, Georgian, English), every channel, mostly routine with some
/// urgent and a few in immediate danger. Nothing here is real.
/// </summary>
public static class DemoRequests
{
    private sealed record Template(string Language, Channel Channel, Urgency Urgency, string Region, string Message, params string[] Tags);

    private static readonly Template[] Templates =
    [
        new("ru", Channel.Telegram, Urgency.ImmediateDanger, "Гудермес",
            "Мужа задержали на блокпосту три часа назад, телефон выключен.\nНам сказали, что его везут в Грозный. Что делать?", "detention"),
        new("ce", Channel.Whatsapp, Urgency.ImmediateDanger, "Грозный",
            "ГӀо де, дехар до! Сан ваша тахана полицино лаьцна.\nЦӀа ван йиш яц, со кхоьру.", "detention", "family"),
        new("ru", Channel.Signal, Urgency.Urgent, "Махачкала",
            "Меня вызывают на беседу в отдел полиции завтра в 10:00. Боюсь, что не отпустят. Нужен адвокат.", "legal"),
        new("ru", Channel.Sms, Urgency.Routine, "Москва",
            "Нужна консультация по выезду за границу: паспорт изъяли при проверке.", "documents"),
        new("ce", Channel.Phone, Urgency.Urgent, "Назрань",
            "Суна гӀо оьшу. Сан йиша цӀера араяла ца йитина, телефон схьабаьккхина.", "family"),
        new("ru", Channel.Telegram, Urgency.ImmediateDanger, "Грозный",
            "СРОЧНО: у дома с утра стоит машина, двое внутри, фотографируют подъезд.\nПишу с чужого телефона.", "surveillance"),
        new("uk", Channel.WebForm, Urgency.Urgent, "Харків",
            "Потрібна допомога з евакуацією, нас троє з дитиною. Документи є не в усіх.", "evacuation"),
        new("en", Channel.Email, Urgency.Routine, "Tbilisi",
            "Hello, I need information about the asylum procedure in Georgia. I arrive next week with my sister.", "asylum"),
        new("tg", Channel.Telegram, Urgency.Urgent, "Душанбе",
            "Ба ман ёрӣ лозим аст. Маро ба идора даъват карданд ва паспортамро гирифтанд.", "documents"),
        new("ka", Channel.Signal, Urgency.Routine, "თბილისი",
            "დახმარება მჭირდება: ვიზის ვადა მალე იწურება, სად მივმართო?", "documents"),
        new("ru", Channel.InPerson, Urgency.Routine, "Назрань",
            "Пришла в офис волонтёров: ищет юриста для брата, осуждённого заочно.", "legal"),
        new("en", Channel.WebForm, Urgency.ImmediateDanger, "unknown",
            "My friend was taken from her flat last night by men in plain clothes. We don't know where she is.", "detention"),
        new("ru", Channel.Whatsapp, Urgency.Routine, "Ставрополь",
            "Угрожают родственники из-за моего выбора. Пожалуйста, перезвоните после 22:00, не раньше.", "family"),
        new("ru", Channel.Phone, Urgency.Urgent, "Грозный",
            "Звонила мать: сына забрали в армию без повестки, связи нет со вчерашнего дня.", "conscription"),
        new("ce", Channel.Telegram, Urgency.Routine, "Аргун",
            "Маршалла хаттар ду. Юристан консультаци оьшу, мичхьа дийр ду?", "legal"),
        new("uk", Channel.Sms, Urgency.Routine, "Львів",
            "Чи можете допомогти з житлом на кілька ночей? Нас двоє.", "shelter"),
        new("ru", Channel.Email, Urgency.Urgent, "Санкт-Петербург",
            "Пришла повестка в СК как свидетелю по делу о «дискредитации». Нужен совет до пятницы.", "legal"),
        new("en", Channel.Other, Urgency.Routine, "Yerevan",
            "Partner organisation asks whether you can take a referral for a family of four.", "referral"),
    ];

    private static readonly string[] Handles = ["+7 928 {0:000} {1:00} {2:00}", "@user{0}{1}", "{0}{1}@proton.me", "+995 5{1:00} {0:000} {2:00}", "+380 6{1:00} {0:000} {2:00}"];

    /// <summary>The fixed opening queue; its request ids repeat, so a restart does not seed twice.</summary>
    public static IEnumerable<SubmitRequestRequest> Seed() =>
        Templates.Select((template, i) => Build(template, $"demo-seed-{i:00}", new Random(i)));

    /// <summary>
    /// One more request, picked at random. About one in three comes again from the person behind
    /// the seeded request of the same template (same handle), so the queue shows repeat contacts.
    /// </summary>
    public static SubmitRequestRequest Next(Random random)
    {
        var index = random.Next(Templates.Length);
        var sender = random.Next(3) == 0 ? new Random(index) : random;
        return Build(Templates[index], "demo-" + Guid.NewGuid().ToString("N"), sender);
    }

    private static SubmitRequestRequest Build(Template template, string requestId, Random random)
    {
        // The handle is drawn first, so a Random seeded like a seed request's draws that request's handle.
        var handle = string.Format(CultureInfo.InvariantCulture, Handles[random.Next(Handles.Length)],
            random.Next(100, 999), random.Next(10, 99), random.Next(10, 99));
        var request = new SubmitRequestRequest
        {
            RequestId = requestId,
            Channel = template.Channel,
            Language = template.Language,
            Message = template.Message,
            Urgency = template.Urgency,
            Region = template.Region,
            ContactHandle = handle,
        };
        request.Tags.AddRange(template.Tags);
        return request;
    }
}
