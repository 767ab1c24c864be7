namespace LearnPlatform.Api.Telemetry;

/// <summary>
/// The client's <c>at</c>: RFC 3339 with its offset (<c>2026-12-01T10:15:30.250Z</c>, <c>...+02:00</c>), up to 7
/// fraction digits, years 2000 to 9998 in UTC. Read by hand: the general parsers accept far more, and cost more per
/// event than the rest of a frame's checks together.
/// </summary>
public static class ClientTime
{
    private const int MaxOffsetMinutes = 14 * 60;

    public static bool TryParse(ReadOnlySpan<char> text, out DateTimeOffset at)
    {
        at = default;
        if (text.Length < 20 || text[4] != '-' || text[7] != '-' || text[10] is not ('T' or 't') || text[13] != ':' || text[16] != ':'
            || !TryDigits(text[..4], out var year) || !TryDigits(text.Slice(5, 2), out var month) || !TryDigits(text.Slice(8, 2), out var day)
            || !TryDigits(text.Slice(11, 2), out var hour) || !TryDigits(text.Slice(14, 2), out var minute) || !TryDigits(text.Slice(17, 2), out var second)
            || year < 1999 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }
        var rest = text[19..];
        long fraction = 0;
        if (rest[0] == '.')
        {
            var digits = 1;
            while (digits < rest.Length && char.IsAsciiDigit(rest[digits]))
            {
                digits++;
            }
            if (digits is 1 or > 8 || !TryDigits(rest[1..digits], out var value))
            {
                return false;
            }
            fraction = value;
            for (var i = digits - 1; i < 7; i++)
            {
                fraction *= 10;
            }
            rest = rest[digits..];
        }
        int offsetMinutes;
        if (rest is ['Z' or 'z'])
        {
            offsetMinutes = 0;
        }
        else if (rest.Length == 6 && rest[0] is '+' or '-' && rest[3] == ':' && TryDigits(rest.Slice(1, 2), out var offsetHours)
            && TryDigits(rest.Slice(4, 2), out var offsetRest) && offsetRest <= 59 && offsetHours * 60 + offsetRest <= MaxOffsetMinutes)
        {
            offsetMinutes = (offsetHours * 60 + offsetRest) * (rest[0] == '-' ? -1 : 1);
        }
        else
        {
            return false;
        }
        var utcTicks = new DateTime(year, month, day, hour, minute, second).Ticks + fraction - offsetMinutes * TimeSpan.TicksPerMinute;
        if (utcTicks < new DateTime(2000, 1, 1).Ticks || utcTicks >= new DateTime(9999, 1, 1).Ticks)
        {
            return false;
        }
        at = new DateTimeOffset(utcTicks, TimeSpan.Zero);
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
            value = value * 10 + (c - '0');
        }
        return true;
    }
}
