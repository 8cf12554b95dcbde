namespace Nats.Core.Config.Parsing;

/// <summary>
/// Size suffixes on integers: k, m, g, t, p, e are powers of 1000; the same letters followed
/// by b, i or ib (kb, ki, kib, ...) are powers of 1024. Case is ignored: 1M = 1,000,000 and
/// 1MB = 1,048,576.
/// </summary>
internal static class SizeSuffix
{
    private const string Letters = "kmgtpe";

    public static bool TryGetMultiplier(string suffix, out long multiplier)
    {
        multiplier = 0;
        var lower = suffix.ToLowerInvariant();
        if (lower.Length == 0)
            return false;
        var exponent = Letters.IndexOf(lower[0]) + 1;
        if (exponent == 0)
            return false;
        long unit = lower[1..] switch
        {
            "" => 1000,
            "b" or "i" or "ib" => 1024,
            _ => 0,
        };
        if (unit == 0)
            return false;
        multiplier = 1;
        for (var i = 0; i < exponent; i++)
            multiplier *= unit;
        return true;
    }
}
