using System.Globalization;
using System.Text.RegularExpressions;

namespace Nats.Core.Tests.Metrics;

/// <summary>
/// A strict reader of the Prometheus text exposition format 0.0.4, for checking what
/// <c>/metrics</c> writes: every sample belongs to the family its HELP and TYPE lines
/// announced just before, families are not split, label values are unescaped.
/// </summary>
internal static partial class PrometheusText
{
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    public sealed record Family(string Name, string Help, string Type, List<Sample> Samples);

    public static IReadOnlyDictionary<string, Family> Parse(string text)
    {
        Assert.That(text, Does.EndWith("\n"), "the exposition ends with a line feed");
        var families = new Dictionary<string, Family>(StringComparer.Ordinal);
        Family? current = null;
        string? help = null;
        foreach (var line in text.Split('\n')[..^1])
        {
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                var rest = line["# HELP ".Length..];
                var name = rest[..rest.IndexOf(' ')];
                Assert.That(families.ContainsKey(name), Is.False, $"family {name} appears twice");
                help = rest[(name.Length + 1)..];
                current = null;
                continue;
            }
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                Assert.That(help, Is.Not.Null, $"TYPE without HELP: {line}");
                Assert.That(parts, Has.Length.EqualTo(4), line);
                current = new Family(parts[2], help!, parts[3], []);
                families.Add(current.Name, current);
                help = null;
                continue;
            }
            var match = SampleLine().Match(line);
            Assert.That(match.Success, Is.True, $"not a sample line: {line}");
            Assert.That(current, Is.Not.Null, $"sample outside a family: {line}");
            Assert.That(match.Groups["name"].Value, Is.EqualTo(current!.Name), line);
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match label in Label().Matches(match.Groups["labels"].Value))
            {
                labels.Add(label.Groups["key"].Value, Unescape(label.Groups["value"].Value));
            }
            var value = match.Groups["value"].Value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                var number => double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
            current.Samples.Add(new Sample(current.Name, labels, value));
        }
        return families;
    }

    private static string Unescape(string value) =>
        Regex.Replace(value, @"\\(.)", m => m.Groups[1].Value == "n" ? "\n" : m.Groups[1].Value);

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*",?)*)\})? (?<value>\S+)$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"(?<key>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>([^""\\\n]|\\[\\""n])*)""")]
    private static partial Regex Label();
}
