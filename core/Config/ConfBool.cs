namespace Nats.Core.Config;

/// <summary>A boolean, written unquoted as true/false, yes/no or on/off in any case.</summary>
public sealed class ConfBool : ConfValue
{
    /// <summary>Creates a boolean value.</summary>
    public ConfBool(bool value, ConfPosition position) : base(position) => Value = value;

    /// <summary>The value.</summary>
    public bool Value { get; }

    /// <inheritdoc />
    public override ConfValueKind Kind => ConfValueKind.Bool;

    /// <inheritdoc />
    public override bool AsBool() => Value;

    /// <inheritdoc />
    public override string Describe() => $"boolean {ToString()}";

    /// <inheritdoc />
    public override string ToString() => Value ? "true" : "false";

    internal override ConfValue RelocateTo(ConfPosition position) => new ConfBool(Value, position);
}
