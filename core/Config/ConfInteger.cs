using System.Globalization;

namespace Nats.Core.Config;

/// <summary>An integer value. Size suffixes (<c>1K</c>, <c>8MB</c>, <c>2GiB</c>) are already applied.</summary>
public sealed class ConfInteger : ConfValue
{
    /// <summary>Creates an integer value; <paramref name="sourceText"/> is the token as written.</summary>
    public ConfInteger(long value, string sourceText, ConfPosition position) : base(position)
    {
        Value = value;
        SourceText = sourceText;
    }

    /// <summary>The value with any size multiplier applied.</summary>
    public long Value { get; }

    /// <summary>The token as written in the file, e.g. <c>2m</c> or <c>4222</c>.</summary>
    public string SourceText { get; }

    /// <summary>
    /// True when the token ended in a size suffix. Lets the caller warn about an unquoted
    /// duration such as <c>ping_interval: 2m</c>, which means 2,000,000, not two minutes.
    /// </summary>
    public bool HasSizeSuffix => SourceText.Length > 0 && char.IsLetter(SourceText[^1]);

    /// <inheritdoc />
    public override ConfValueKind Kind => ConfValueKind.Integer;

    /// <inheritdoc />
    public override long AsLong() => Value;

    /// <inheritdoc />
    public override double AsDouble() => Value;

    /// <inheritdoc />
    public override string Describe() =>
        HasSizeSuffix ? $"integer {SourceText} (= {Value})" : $"integer {Value}";

    /// <inheritdoc />
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);

    internal override ConfValue RelocateTo(ConfPosition position) => new ConfInteger(Value, SourceText, position);
}
