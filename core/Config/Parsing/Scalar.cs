namespace Nats.Core.Config.Parsing;

/// <summary>A scalar read from the text: either a value, or a <c>$name</c> reference still to resolve.</summary>
internal readonly record struct Scalar(ConfValue? Value, string? VariableName, ConfPosition Position);
