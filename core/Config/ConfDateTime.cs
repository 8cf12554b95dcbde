using System.Globalization;

namespace Nats.Core.Config;

/// <summary>An unquoted ISO 8601 Zulu date-time such as <c>2016-05-04T18:53:41Z</c>.</summary>
public sealed class ConfDateTime : ConfValue
{
    /// <summary>Creates a date-time value; it is stored as UTC.</summary>
    public ConfDateTime(DateTime value, ConfPosition position) : base(position) =>
        Value = DateTime.SpecifyKind(value, DateTimeKind.Utc);

    /// <summary>The value, <see cref="DateTimeKind.Utc"/>.</summary>
    public DateTime Value { get; }

    /// <inheritdoc />
    public override ConfValueKind Kind => ConfValueKind.DateTime;

    /// <inheritdoc />
    public override DateTime AsDateTime() => Value;

    /// <inheritdoc />
    public override string Describe() => $"date-time {ToString()}";

    /// <inheritdoc />
    public override string ToString() => Value.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    internal override ConfValue RelocateTo(ConfPosition position) => new ConfDateTime(Value, position);
}
