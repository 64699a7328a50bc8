using System.Text;

namespace Hotline.Domain;

/// <summary>
/// Turns a contact handle into the form two contacts from the same requester share, so the store
/// can link repeat contacts through a keyed hash of it without keeping the handle searchable.
/// Rules, in order:
/// 1. Unicode NFKC (full-width digits and letters become ASCII), trimmed, lower-cased (invariant).
/// 2. A `tel:` or `mailto:` prefix is dropped.
/// 3. A phone number: what is left after removing spaces, dashes, dots and parentheses is an optional
///    `+` or `00` followed by 5 to 20 digits. It becomes `phone:` and the digits without the `+`/`00`,
///    whatever the channel (the same number calls, texts and uses WhatsApp).
///    National trunk prefixes (a Russian `8` for `+7`) are not rewritten: that needs a country.
/// 4. An e-mail address (an `@` with something before it): `email:` and the address, on any channel.
/// 5. Anything else is a username, which belongs to one messenger: a leading `@` and a
///    `t.me/` or `https://t.me/` prefix are dropped, and it becomes `{channel}:` and the name.
/// Empty handles have no normal form: requests without a handle are never linked.
/// </summary>
public static class ContactHandles
{
    private const int MinPhoneDigits = 5;
    private const int MaxPhoneDigits = 20;

    public static string? Normalise(Channel channel, string handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var text = handle.Normalize(NormalizationForm.FormKC).Trim().ToLowerInvariant();
        text = StripPrefix(StripPrefix(text, "tel:"), "mailto:").Trim();
        if (text.Length == 0)
        {
            return null;
        }
        if (PhoneDigits(text) is { } digits)
        {
            return "phone:" + digits;
        }
        var at = text.IndexOf('@', StringComparison.Ordinal);
        if (at > 0)
        {
            return "email:" + text;
        }
        var name = StripPrefix(StripPrefix(StripPrefix(text, "https://"), "http://"), "t.me/").TrimStart('@');
        return name.Length == 0 ? null : channel.ToString().ToLowerInvariant() + ":" + name;
    }

    private static string? PhoneDigits(string text)
    {
        var compact = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is ' ' or '-' or '.' or '(' or ')' or '\u00a0')
            {
                continue;
            }
            compact.Append(c);
        }
        var s = compact.ToString();
        if (s.StartsWith('+'))
        {
            s = s[1..];
        }
        else if (s.StartsWith("00", StringComparison.Ordinal))
        {
            s = s[2..];
        }
        var allDigits = s.Length is >= MinPhoneDigits and <= MaxPhoneDigits && s.All(c => c is >= '0' and <= '9');
        return allDigits ? s : null;
    }

    private static string StripPrefix(string text, string prefix) =>
        text.StartsWith(prefix, StringComparison.Ordinal) ? text[prefix.Length..] : text;
}
