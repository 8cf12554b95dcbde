using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Nats.Core.Metrics;

/// <summary>
/// Reads one meter's observable instruments on demand and writes them in the Prometheus text
/// exposition format 0.0.4. Every series is written as a <c>gauge</c>, as
/// prometheus-nats-exporter declares them (counters keep their exporter names, without the
/// <c>_total</c> suffix a Prometheus counter must have, so they cannot be typed counter).
/// A scrape holds <see cref="_scrapeLock"/> (scrapes only: the instruments' callbacks read
/// counters without locking anything the message path takes).
/// </summary>
internal sealed class PrometheusExposition : IDisposable
{
    private readonly MeterListener _listener;
    private readonly Lock _scrapeLock = new();
    // Owned by the scraping thread while it holds _scrapeLock.
    private readonly Dictionary<string, Family> _families = new(StringComparer.Ordinal);
    private readonly List<Family> _order = [];

    public PrometheusExposition(Meter meter)
    {
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                // Only observable instruments: a synchronous one would call back on the hot path.
                if (ReferenceEquals(instrument.Meter, meter) && instrument.IsObservable)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v.ToString(CultureInfo.InvariantCulture), tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Add(i, v.ToString(CultureInfo.InvariantCulture), tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, FormatDouble(v), tags));
        _listener.Start();
    }

    public void Write(TextWriter writer)
    {
        lock (_scrapeLock)
        {
            _families.Clear();
            _order.Clear();
            _listener.RecordObservableInstruments();
            foreach (var family in _order)
            {
                writer.Write("# HELP ");
                writer.Write(family.Name);
                writer.Write(' ');
                writer.Write(EscapeHelp(family.Help));
                writer.Write("\n# TYPE ");
                writer.Write(family.Name);
                writer.Write(" gauge\n");
                foreach (var sample in family.Samples)
                {
                    writer.Write(sample);
                    writer.Write('\n');
                }
            }
        }
    }

    private void Add(Instrument instrument, string value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (!_families.TryGetValue(instrument.Name, out var family))
        {
            family = new Family(instrument.Name, string.IsNullOrEmpty(instrument.Description) ? instrument.Name : instrument.Description);
            _families.Add(instrument.Name, family);
            _order.Add(family);
        }
        var sample = new StringBuilder(instrument.Name);
        if (tags.Length > 0)
        {
            sample.Append('{');
            for (var i = 0; i < tags.Length; i++)
            {
                if (i > 0)
                {
                    sample.Append(',');
                }
                sample.Append(tags[i].Key).Append("=\"");
                AppendLabelValue(sample, Convert.ToString(tags[i].Value, CultureInfo.InvariantCulture) ?? "");
                sample.Append('"');
            }
            sample.Append('}');
        }
        sample.Append(' ').Append(value);
        family.Samples.Add(sample.ToString());
    }

    internal static string FormatDouble(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    // Label values escape backslash, double quote and line feed; help text the first and last.
    private static void AppendLabelValue(StringBuilder builder, string value)
    {
        foreach (var c in value)
        {
            _ = c switch
            {
                '\\' => builder.Append(@"\\"),
                '"' => builder.Append("\\\""),
                '\n' => builder.Append(@"\n"),
                _ => builder.Append(c),
            };
        }
    }

    private static string EscapeHelp(string help) => help.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("\n", @"\n", StringComparison.Ordinal);

    public void Dispose() => _listener.Dispose();

    private sealed record Family(string Name, string Help)
    {
        public List<string> Samples { get; } = [];
    }
}
