namespace Nats.Core.Config;

/// <summary>
/// A configuration error tied to a place in a config file. The message always starts with
/// <c>file:line:col:</c> so it can be shown to the operator as is.
/// </summary>
public class ConfigException : Exception
{
    /// <summary>Creates an error at <paramref name="position"/> with a human readable reason.</summary>
    public ConfigException(ConfPosition position, string reason, Exception? innerException = null)
        : base(Compose(position, reason), innerException)
    {
        Position = position;
        Reason = reason;
    }

    /// <summary>Where the problem is.</summary>
    public ConfPosition Position { get; }

    /// <summary>The file named by <see cref="Position"/> (empty for unnamed strings).</summary>
    public string File => Position.File;

    /// <summary>1-based line, or 0 when the error concerns the whole file (e.g. it can't be read).</summary>
    public int Line => Position.Line;

    /// <summary>1-based column, or 0 when the error concerns the whole file.</summary>
    public int Column => Position.Column;

    /// <summary>The message without the position prefix.</summary>
    public string Reason { get; }

    private static string Compose(ConfPosition position, string reason)
    {
        var where = position.ToString();
        return where.Length == 0 ? reason : $"{where}: {reason}";
    }
}
