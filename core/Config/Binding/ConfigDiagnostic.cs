namespace Nats.Core.Config.Binding;

/// <summary>
/// One problem found while binding a config file: where it is and what is wrong. <see cref="Message"/>
/// is the line nats-server would print for it, e.g.
/// <c>server.conf:3:1: invalid use of field "ping_interval": ping_interval should be converted to a duration</c>.
/// </summary>
public sealed class ConfigDiagnostic
{
    /// <summary>Creates a diagnostic; <paramref name="message"/> is the full text, position included.</summary>
    public ConfigDiagnostic(ConfPosition position, string? field, string reason, string message)
    {
        Position = position;
        Field = field;
        Reason = reason;
        Message = message;
    }

    /// <summary>Where the option was written (the key, as nats-server reports it).</summary>
    public ConfPosition Position { get; }

    /// <summary>The option concerned, when there is one.</summary>
    public string? Field { get; }

    /// <summary>What is wrong, without the position.</summary>
    public string Reason { get; }

    /// <summary>The full line: <c>file:line:col: reason</c>.</summary>
    public string Message { get; }

    /// <summary>A plain error: <c>file:line:col: reason</c>.</summary>
    public static ConfigDiagnostic Error(ConfPosition position, string reason, string? field = null) =>
        new(position, field, reason, Prefix(position) + reason);

    /// <summary>nats-server's warning form: <c>file:line:col: invalid use of field "f": reason</c>.</summary>
    public static ConfigDiagnostic InvalidUse(ConfPosition position, string field, string reason) =>
        new(position, field, reason, $"{Prefix(position)}invalid use of field \"{field}\": {reason}");

    /// <summary>nats-server's unknown-field form: <c>file:line:col: unknown field "f"</c>.</summary>
    public static ConfigDiagnostic UnknownField(ConfPosition position, string field) =>
        new(position, field, $"unknown field \"{field}\"", $"{Prefix(position)}unknown field \"{field}\"");

    /// <summary>An option nats-server knows that this server accepts but does not act on.</summary>
    public static ConfigDiagnostic NotSupported(ConfPosition position, string field, string? reason = null)
    {
        var text = reason ?? $"field \"{field}\" is not supported by this server and is ignored";
        return new(position, field, text, Prefix(position) + text);
    }

    /// <inheritdoc />
    public override string ToString() => Message;

    private static string Prefix(ConfPosition position)
    {
        var where = position.ToString();
        return where.Length == 0 ? "" : where + ": ";
    }
}
