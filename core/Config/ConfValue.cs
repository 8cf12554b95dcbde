namespace Nats.Core.Config;

/// <summary>
/// A value parsed from a config file. Every value knows where it was written so that the
/// server can report "option X at file:line:col". The typed accessors throw
/// <see cref="ConfTypeException"/> (which carries that position) when the type is wrong.
/// </summary>
public abstract class ConfValue
{
    private protected ConfValue(ConfPosition position) => Position = position;

    /// <summary>Where the value starts. For a <c>$VAR</c> reference this is the reference, not the definition.</summary>
    public ConfPosition Position { get; }

    /// <summary>The type of the value.</summary>
    public abstract ConfValueKind Kind { get; }

    /// <summary>
    /// True when this value (a key's definition) was referenced as <c>$key</c> somewhere later.
    /// Such definitions stay in their map, as in nats-server; it skips them when it reports
    /// unknown fields.
    /// </summary>
    public bool IsUsedAsVariable { get; internal set; }

    /// <summary>The string value.</summary>
    public virtual string AsString() => throw new ConfTypeException(this, ConfValueKind.String);

    /// <summary>The integer value (size suffixes already applied).</summary>
    public virtual long AsLong() => throw new ConfTypeException(this, ConfValueKind.Integer);

    /// <summary>The numeric value; integers are accepted too, as several nats-server options do.</summary>
    public virtual double AsDouble() => throw new ConfTypeException(this, ConfValueKind.Float);

    /// <summary>The boolean value.</summary>
    public virtual bool AsBool() => throw new ConfTypeException(this, ConfValueKind.Bool);

    /// <summary>The date-time value, in UTC.</summary>
    public virtual DateTime AsDateTime() => throw new ConfTypeException(this, ConfValueKind.DateTime);

    /// <summary>The value as a map.</summary>
    public virtual ConfMap AsMap() => throw new ConfTypeException(this, ConfValueKind.Map);

    /// <summary>The value as an array.</summary>
    public virtual ConfList AsList() => throw new ConfTypeException(this, ConfValueKind.List);

    /// <summary>The integer value, checked to fit in an <see cref="int"/>.</summary>
    public int AsInt()
    {
        var value = AsLong();
        if (value is < int.MinValue or > int.MaxValue)
            throw new ConfigException(Position, $"value {value} is out of range for a 32-bit integer");
        return (int)value;
    }

    /// <summary>The value as a duration, the nats-server way; see <see cref="AsDuration(out bool)"/>.</summary>
    public TimeSpan AsDuration() => AsDuration(out _);

    /// <summary>
    /// The value as a duration, the nats-server way: a string is a Go duration (<c>"2m"</c>,
    /// <c>"1h30m"</c>); a bare integer is a number of seconds, accepted for backward
    /// compatibility, and <paramref name="fromBareSeconds"/> is set so the caller can warn
    /// (check <see cref="ConfInteger.HasSizeSuffix"/> too: unquoted <c>2m</c> means 2,000,000).
    /// </summary>
    public TimeSpan AsDuration(out bool fromBareSeconds)
    {
        fromBareSeconds = false;
        switch (this)
        {
            case ConfString s:
                if (!GoDuration.TryParseNanoseconds(s.Value, out var nanoseconds, out var error))
                    throw new ConfigException(Position, $"invalid duration: {error}");
                return GoDuration.ToTimeSpan(nanoseconds);
            case ConfInteger i:
                fromBareSeconds = true;
                if (i.Value > (long)TimeSpan.MaxValue.TotalSeconds || i.Value < (long)TimeSpan.MinValue.TotalSeconds)
                    throw new ConfigException(Position, $"duration of {i.Value} seconds is out of range");
                return TimeSpan.FromSeconds(i.Value);
            default:
                throw new ConfTypeException(this, ConfValueKind.Duration);
        }
    }

    /// <summary>A short description for error messages, e.g. <c>string "abc"</c>.</summary>
    public abstract string Describe();

    /// <summary>The same value as seen from another place (a variable reference).</summary>
    internal abstract ConfValue RelocateTo(ConfPosition position);
}
