namespace Nats.Core.Config;

/// <summary>Thrown by the typed accessors of <see cref="ConfValue"/> when a value has the wrong type.</summary>
public sealed class ConfTypeException : ConfigException
{
    /// <summary>Creates the error for <paramref name="actual"/>, which was expected to be <paramref name="expected"/>.</summary>
    public ConfTypeException(ConfValue actual, ConfValueKind expected)
        : base(actual.Position, $"expected {Article(expected)}, got {actual.Describe()}")
    {
        Expected = expected;
        Actual = actual.Kind;
    }

    /// <summary>The kind the caller asked for.</summary>
    public ConfValueKind Expected { get; }

    /// <summary>The kind the file contains.</summary>
    public ConfValueKind Actual { get; }

    private static string Article(ConfValueKind kind) => kind switch
    {
        ConfValueKind.Integer => "an integer",
        ConfValueKind.Float => "a number",
        ConfValueKind.Bool => "a boolean",
        ConfValueKind.DateTime => "a date-time",
        ConfValueKind.Map => "a map",
        ConfValueKind.List => "an array",
        ConfValueKind.Duration => "a duration",
        _ => "a string",
    };
}
