namespace Nats.Host.Cli;

/// <summary>
/// Command-line parsing with Go's <c>flag</c> package rules, which nats-server users rely on:
/// one or two dashes (<c>-p</c>, <c>--port</c>), <c>-p 4222</c> or <c>-p=4222</c>, booleans
/// set by their presence or <c>-D=false</c> (never by the next argument), parsing stops at
/// the first non-flag argument or after <c>--</c>, and Go's error messages.
/// </summary>
internal sealed class GoFlagSet
{
    private readonly Dictionary<string, FlagKind> _flags = new(StringComparer.Ordinal);

    /// <summary>One flag as given: the name used (without dashes) and its value.</summary>
    internal readonly record struct Setting(string Name, FlagKind Kind, string RawValue, bool BoolValue, long IntValue);

    /// <summary>The flags given, in order, and the arguments after them.</summary>
    internal sealed record Result(IReadOnlyList<Setting> Settings, IReadOnlyList<string> Arguments);

    /// <summary>Defines a flag under every name in <paramref name="names"/>.</summary>
    public void Define(FlagKind kind, params string[] names)
    {
        foreach (var name in names)
        {
            _flags.Add(name, kind);
        }
    }

    /// <summary>Parses <paramref name="args"/>; throws <see cref="FlagParseException"/> with Go's message.</summary>
    public Result Parse(IReadOnlyList<string> args)
    {
        var settings = new List<Setting>();
        var i = 0;
        while (i < args.Count)
        {
            var arg = args[i];
            if (arg.Length < 2 || arg[0] != '-')
            {
                break;
            }
            var dashes = 1;
            if (arg[1] == '-')
            {
                dashes = 2;
                if (arg.Length == 2)
                {
                    // "--" ends the flags and is not an argument itself.
                    i++;
                    break;
                }
            }
            var name = arg[dashes..];
            if (name.Length == 0 || name[0] is '-' or '=')
            {
                throw new FlagParseException($"bad flag syntax: {arg}");
            }
            i++;
            string? value = null;
            var equals = name.IndexOf('=', 1);
            if (equals > 0)
            {
                value = name[(equals + 1)..];
                name = name[..equals];
            }
            if (!_flags.TryGetValue(name, out var kind))
            {
                throw new FlagParseException($"flag provided but not defined: -{name}");
            }
            if (kind == FlagKind.Bool)
            {
                if (!TryParseBool(value ?? "true", out var flag))
                {
                    throw new FlagParseException($"invalid boolean value \"{value}\" for -{name}: parse error");
                }
                settings.Add(new Setting(name, kind, value ?? "true", flag, 0));
                continue;
            }
            if (value is null)
            {
                if (i >= args.Count)
                {
                    throw new FlagParseException($"flag needs an argument: -{name}");
                }
                value = args[i++];
            }
            long number = 0;
            if (kind == FlagKind.Int && !TryParseInt(value, out number, out var error))
            {
                throw new FlagParseException($"invalid value \"{value}\" for flag -{name}: {error}");
            }
            settings.Add(new Setting(name, kind, value, false, number));
        }
        return new Result(settings, args.Skip(i).ToList());
    }

    /// <summary>Go's <c>strconv.ParseBool</c>.</summary>
    internal static bool TryParseBool(string text, out bool value)
    {
        switch (text)
        {
            case "1" or "t" or "T" or "TRUE" or "true" or "True":
                value = true;
                return true;
            case "0" or "f" or "F" or "FALSE" or "false" or "False":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    /// <summary>
    /// Go's <c>strconv.ParseInt(s, 0, 64)</c>: optional sign, then decimal, <c>0x</c> hex,
    /// <c>0o</c> or leading-<c>0</c> octal, or <c>0b</c> binary, with <c>_</c> between digits.
    /// </summary>
    internal static bool TryParseInt(string text, out long value, out string error)
    {
        value = 0;
        error = "parse error";
        var s = text.AsSpan();
        var negative = false;
        if (s.Length > 0 && s[0] is '+' or '-')
        {
            negative = s[0] == '-';
            s = s[1..];
        }
        var radix = 10;
        var prefixed = false;
        if (s.Length > 1 && s[0] == '0')
        {
            switch (char.ToLowerInvariant(s[1]))
            {
                case 'x':
                    radix = 16;
                    s = s[2..];
                    prefixed = true;
                    break;
                case 'o':
                    radix = 8;
                    s = s[2..];
                    prefixed = true;
                    break;
                case 'b':
                    radix = 2;
                    s = s[2..];
                    prefixed = true;
                    break;
                default:
                    radix = 8;
                    s = s[1..];
                    break;
            }
        }
        if (s.IsEmpty && !(radix == 8 && !prefixed))
        {
            return false;
        }
        ulong magnitude = 0;
        // An underscore may follow a base prefix (a leading 0 counts) but not start a number.
        var lastUnderscore = !prefixed && radix == 10;
        foreach (var c in s)
        {
            if (c == '_')
            {
                if (lastUnderscore)
                {
                    return false;
                }
                lastUnderscore = true;
                continue;
            }
            lastUnderscore = false;
            var digit = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'z' => c - 'a' + 10,
                >= 'A' and <= 'Z' => c - 'A' + 10,
                _ => 99,
            };
            if (digit >= radix)
            {
                return false;
            }
            if (magnitude > (ulong.MaxValue - (ulong)digit) / (ulong)radix)
            {
                error = "value out of range";
                return false;
            }
            magnitude = magnitude * (ulong)radix + (ulong)digit;
        }
        if (lastUnderscore && s.Length > 0)
        {
            return false;
        }
        if (negative ? magnitude > (ulong)long.MaxValue + 1 : magnitude > long.MaxValue)
        {
            error = "value out of range";
            return false;
        }
        value = negative ? unchecked(-(long)magnitude) : (long)magnitude;
        return true;
    }
}
