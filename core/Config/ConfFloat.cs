using System.Globalization;

namespace Nats.Core.Config;

/// <summary>A floating point value such as <c>0.5</c>.</summary>
public sealed class ConfFloat : ConfValue
{
    /// <summary>Creates a floating point value.</summary>
    public ConfFloat(double value, ConfPosition position) : base(position) => Value = value;

    /// <summary>The value.</summary>
    public double Value { get; }

    /// <inheritdoc />
    public override ConfValueKind Kind => ConfValueKind.Float;

    /// <inheritdoc />
    public override double AsDouble() => Value;

    /// <inheritdoc />
    public override string Describe() => $"number {ToString()}";

    /// <inheritdoc />
    public override string ToString() => Value.ToString("R", CultureInfo.InvariantCulture);

    internal override ConfValue RelocateTo(ConfPosition position) => new ConfFloat(Value, position);
}
