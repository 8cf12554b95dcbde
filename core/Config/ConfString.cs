namespace Nats.Core.Config;

/// <summary>A string value (double-quoted, single-quoted, bare or a <c>( ... )</c> block).</summary>
public sealed class ConfString : ConfValue
{
    /// <summary>Creates a string value.</summary>
    public ConfString(string value, ConfPosition position) : base(position) => Value = value;

    /// <summary>The text, escapes already decoded.</summary>
    public string Value { get; }

    /// <inheritdoc />
    public override ConfValueKind Kind => ConfValueKind.String;

    /// <inheritdoc />
    public override string AsString() => Value;

    /// <inheritdoc />
    public override string Describe() => $"string \"{Value}\"";

    /// <inheritdoc />
    public override string ToString() => Value;

    internal override ConfValue RelocateTo(ConfPosition position) => new ConfString(Value, position);
}
