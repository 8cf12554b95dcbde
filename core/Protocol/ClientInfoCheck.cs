using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Nats.Core.Protocol;

/// <summary>
/// Checks an <c>INFO</c> a client sent the way nats-server does: by decoding it into Go's
/// <c>server.Info</c> (2.9.10). A document that is not JSON, or whose known fields have the
/// wrong JSON type or range (<c>"port":"x"</c>, <c>"gateway_cmd":300</c>), is refused with
/// Go's error text; unknown fields and nulls are ignored, as Go ignores them.
/// </summary>
internal static class ClientInfoCheck
{
    private enum Kind
    {
        String,
        Bool,
        Int,
        Int32,
        UInt64,
        UInt8,
        Strings,
        Bytes,
        Permission,
    }

    /// <summary>nats-server 2.9.10's <c>Info</c> fields by JSON name (Go matches names case-insensitively).</summary>
    private static readonly Dictionary<string, Kind> InfoFields = new(StringComparer.OrdinalIgnoreCase)
    {
        ["server_id"] = Kind.String, ["server_name"] = Kind.String, ["version"] = Kind.String,
        ["proto"] = Kind.Int, ["git_commit"] = Kind.String, ["go"] = Kind.String, ["host"] = Kind.String,
        ["port"] = Kind.Int, ["headers"] = Kind.Bool, ["auth_required"] = Kind.Bool,
        ["tls_required"] = Kind.Bool, ["tls_verify"] = Kind.Bool, ["tls_available"] = Kind.Bool,
        ["max_payload"] = Kind.Int32, ["jetstream"] = Kind.Bool, ["ip"] = Kind.String,
        ["client_id"] = Kind.UInt64, ["client_ip"] = Kind.String, ["nonce"] = Kind.String,
        ["cluster"] = Kind.String, ["cluster_dynamic"] = Kind.Bool, ["domain"] = Kind.String,
        ["connect_urls"] = Kind.Strings, ["ws_connect_urls"] = Kind.Strings, ["ldm"] = Kind.Bool,
        ["import"] = Kind.Permission, ["export"] = Kind.Permission, ["lnoc"] = Kind.Bool,
        ["info_on_connect"] = Kind.Bool, ["connect_info"] = Kind.Bool, ["gateway"] = Kind.String,
        ["gateway_urls"] = Kind.Strings, ["gateway_url"] = Kind.String, ["gateway_cmd"] = Kind.UInt8,
        ["gateway_cmd_payload"] = Kind.Bytes, ["gateway_nrp"] = Kind.Bool, ["gateway_iom"] = Kind.Bool,
        ["leafnode_urls"] = Kind.Strings, ["remote_account"] = Kind.String,
    };

    /// <summary>Go's error for <paramref name="json"/> decoded as <c>server.Info</c>, or null when it decodes.</summary>
    public static string? Error(ReadOnlySpan<byte> json)
    {
        if (SyntaxError(json) is { } syntax)
        {
            return syntax;
        }
        var reader = new Utf8JsonReader(json);
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return Mismatch(Describe(ref reader, numeric: false), "server.Info", null);
        }
        string? first = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            if (!InfoFields.TryGetValue(name, out var kind))
            {
                reader.Skip();
                continue;
            }
            // Go keeps decoding after a type error and reports the first one.
            var canonical = InfoFields.Keys.First(k => k.Equals(name, StringComparison.OrdinalIgnoreCase));
            var error = CheckValue(ref reader, kind, "Info", canonical);
            first ??= error;
        }
        return first;
    }

    private static string? CheckValue(ref Utf8JsonReader reader, Kind kind, string type, string field)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }
        switch (kind)
        {
            case Kind.String:
                return reader.TokenType == JsonTokenType.String ? null : Skip(ref reader, Mismatch(Describe(ref reader, false), "string", $"{type}.{field}"));
            case Kind.Bool:
                return reader.TokenType is JsonTokenType.True or JsonTokenType.False ? null : Skip(ref reader, Mismatch(Describe(ref reader, false), "bool", $"{type}.{field}"));
            case Kind.Int or Kind.Int32 or Kind.UInt64 or Kind.UInt8:
                return CheckNumber(ref reader, kind, $"{type}.{field}");
            case Kind.Bytes:
                if (reader.TokenType != JsonTokenType.String)
                {
                    return Skip(ref reader, Mismatch(Describe(ref reader, false), "[]uint8", $"{type}.{field}"));
                }
                var text = reader.GetString()!;
                return Convert.TryFromBase64String(text, new byte[text.Length], out _) ? null : $"illegal base64 data at input byte {Base64ErrorAt(text)}";
            case Kind.Strings:
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    return Skip(ref reader, Mismatch(Describe(ref reader, false), "[]string", $"{type}.{field}"));
                }
                string? first = null;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    first ??= CheckValue(ref reader, Kind.String, type, field);
                }
                return first;
            default:
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    return Skip(ref reader, Mismatch(Describe(ref reader, false), "server.SubjectPermission", $"{type}.{field}"));
                }
                string? error = null;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = reader.GetString()!;
                    reader.Read();
                    if (name.Equals("allow", StringComparison.OrdinalIgnoreCase) || name.Equals("deny", StringComparison.OrdinalIgnoreCase))
                    {
                        error ??= CheckValue(ref reader, Kind.Strings, "SubjectPermission", $"{field}.{name.ToLowerInvariant()}");
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                return error;
        }
    }

    private static string? CheckNumber(ref Utf8JsonReader reader, Kind kind, string field)
    {
        var type = kind switch { Kind.Int => "int", Kind.Int32 => "int32", Kind.UInt64 => "uint64", _ => "uint8" };
        if (reader.TokenType != JsonTokenType.Number)
        {
            return Skip(ref reader, Mismatch(Describe(ref reader, false), type, field));
        }
        var fits = kind switch
        {
            Kind.Int => reader.TryGetInt64(out _) && IsInteger(reader.ValueSpan),
            Kind.Int32 => reader.TryGetInt32(out _) && IsInteger(reader.ValueSpan),
            Kind.UInt64 => reader.TryGetUInt64(out _) && IsInteger(reader.ValueSpan),
            _ => reader.TryGetByte(out _) && IsInteger(reader.ValueSpan),
        };
        return fits ? null : Mismatch(Describe(ref reader, numeric: true), type, field);
    }

    /// <summary>Go's <c>strconv.Parse(U)Int</c> takes digits only: no fraction, no exponent.</summary>
    private static bool IsInteger(ReadOnlySpan<byte> literal) => literal.IndexOfAny(".eE"u8) < 0;

    /// <summary>How Go names the JSON value in its error (<c>string</c>, <c>number 300</c>…).</summary>
    private static string Describe(ref Utf8JsonReader reader, bool numeric) => reader.TokenType switch
    {
        JsonTokenType.String => "string",
        JsonTokenType.True or JsonTokenType.False => "bool",
        JsonTokenType.Number => numeric ? "number " + Encoding.UTF8.GetString(reader.ValueSpan) : "number",
        JsonTokenType.StartArray => "array",
        _ => "object",
    };

    private static string Mismatch(string value, string type, string? field) => field is null
        ? $"json: cannot unmarshal {value} into Go value of type {type}"
        : $"json: cannot unmarshal {value} into Go struct field {field} of type {type}";

    /// <summary>Skips the rest of a mismatched object or array, keeping <paramref name="error"/>.</summary>
    private static string Skip(ref Utf8JsonReader reader, string error)
    {
        reader.Skip();
        return error;
    }

    private static int Base64ErrorAt(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (!(char.IsAsciiLetterOrDigit(text[i]) || text[i] is '+' or '/' or '='))
            {
                return i;
            }
        }
        return text.Length / 4 * 4;
    }

    /// <summary>Go's error for JSON that does not parse at all (the message the checks above keep).</summary>
    private static string? SyntaxError(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read())
            {
                return "unexpected end of JSON input";
            }
            reader.Skip();
            return reader.Read() ? "invalid character after top-level value" : null;
        }
        catch (JsonException e)
        {
            return e.Message;
        }
    }
}
