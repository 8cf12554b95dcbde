using System.Diagnostics.CodeAnalysis;

namespace Nats.Core.Config.Binding;

/// <summary>
/// Collects errors, warnings and ignored settings while a config is bound, and reads typed
/// values so that a wrong type becomes an error naming the option instead of an exception:
/// nats-server reports every problem of a file at once, so binding never stops at the first.
/// </summary>
internal sealed class BindContext
{
    public List<ConfigDiagnostic> Errors { get; } = [];

    public List<ConfigDiagnostic> Warnings { get; } = [];

    public List<ConfigDiagnostic> Ignored { get; } = [];

    public void Error(ConfPosition position, string reason, string? field = null) =>
        Errors.Add(ConfigDiagnostic.Error(position, reason, field));

    public void Error(ConfEntry entry, string reason) => Error(entry.KeyPosition, reason, entry.Key);

    /// <summary>nats-server's <c>invalid use of field</c> warning.</summary>
    public void Warn(ConfPosition position, string field, string reason) =>
        Warnings.Add(ConfigDiagnostic.InvalidUse(position, field, reason));

    /// <summary>A plain warning (nats-server's configErr in its warning list).</summary>
    public void WarnPlain(ConfPosition position, string reason, string? field = null) =>
        Warnings.Add(ConfigDiagnostic.Error(position, reason, field));

    /// <summary>An unknown key in a block the kernel owns; keys defined only to be used as <c>$variables</c> are fine.</summary>
    public void Unknown(ConfEntry entry)
    {
        if (!entry.Value.IsUsedAsVariable)
        {
            Errors.Add(ConfigDiagnostic.UnknownField(entry.KeyPosition, entry.Key));
        }
    }

    /// <summary>A key nats-server knows in a block the kernel owns, which this server does not act on.</summary>
    public void NotSupported(ConfEntry entry, string? where = null)
    {
        var field = where is null ? entry.Key : $"{where}.{entry.Key}";
        Ignored.Add(ConfigDiagnostic.NotSupported(entry.KeyPosition, field));
    }

    public bool TryString(ConfEntry entry, [NotNullWhen(true)] out string? value) => Try(entry, static v => v.AsString(), out value);

    public bool TryBool(ConfEntry entry, out bool value) => Try(entry, static v => v.AsBool(), out value);

    public bool TryLong(ConfEntry entry, out long value) => Try(entry, static v => v.AsLong(), out value);

    public bool TryMap(ConfEntry entry, [NotNullWhen(true)] out ConfMap? value) => Try(entry, static v => v.AsMap(), out value);

    public bool TryList(ConfEntry entry, [NotNullWhen(true)] out ConfList? value) => Try(entry, static v => v.AsList(), out value);

    /// <summary>An integer that must fit an <see cref="int"/>; too big is nats-server's "value is too big".</summary>
    public bool TryInt(ConfEntry entry, out int value)
    {
        value = 0;
        if (!TryLong(entry, out var wide))
        {
            return false;
        }
        if (wide > int.MaxValue)
        {
            Error(entry, $"{entry.Key} value is too big");
            return false;
        }
        if (wide < int.MinValue)
        {
            Error(entry, $"{entry.Key} value is too small");
            return false;
        }
        value = (int)wide;
        return true;
    }

    /// <summary>
    /// nats-server's <c>parseDuration</c>: a string is a Go duration; a bare integer is a number
    /// of seconds, accepted with a warning. An integer written with a size suffix (<c>2m</c>)
    /// is 2,000,000 to the lexer, so that warning says so.
    /// </summary>
    public bool TryDuration(ConfEntry entry, out TimeSpan value) => TryDuration(entry.Key, entry.KeyPosition, entry.Value, out value);

    public bool TryDuration(string field, ConfPosition position, ConfValue raw, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        switch (raw)
        {
            case ConfString s:
                if (!GoDuration.TryParseNanoseconds(s.Value, out var nanoseconds, out var error))
                {
                    Error(position, $"error parsing {field}: {error}", field);
                    return false;
                }
                value = GoDuration.ToTimeSpan(nanoseconds);
                return true;
            case ConfInteger i:
                var reason = $"{field} should be converted to a duration";
                if (i.HasSizeSuffix)
                {
                    reason += $": unquoted {i.SourceText} is the number {i.Value}, taken as {i.Value} seconds; write \"{i.SourceText}\" for a duration";
                }
                Warn(position, field, reason);
                try
                {
                    value = raw.AsDuration();
                    return true;
                }
                catch (ConfigException e)
                {
                    Error(position, $"{field}: {e.Reason}", field);
                    return false;
                }
            default:
                Error(position, $"{field}: expected a duration, got {raw.Describe()}", field);
                return false;
        }
    }

    private bool Try<T>(ConfEntry entry, Func<ConfValue, T> read, [NotNullWhen(true)] out T? value)
    {
        try
        {
            value = read(entry.Value)!;
            return true;
        }
        catch (ConfigException e)
        {
            Error(entry, $"{entry.Key}: {e.Reason}");
            value = default;
            return false;
        }
    }
}
