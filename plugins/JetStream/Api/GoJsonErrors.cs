using System.Text;
using System.Text.Json;

namespace Nats.JetStream.Api;

/// <summary>
/// The texts of Go's encoding/json errors, for the replies where nats-server shows them to the
/// client (<c>400 Bad Request - …</c> of a pull request): Go checks the whole document's syntax
/// before decoding, so a syntax error wins over a type mismatch.
/// </summary>
internal static class GoJsonErrors
{
    /// <summary>Go's text for the first syntax error of <paramref name="json"/>, or null when it is well formed.</summary>
    public static string? Syntax(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            while (reader.Read())
            {
            }
            return null;
        }
        catch (JsonException)
        {
            return Describe(json);
        }
    }

    /// <summary>
    /// Go's <c>json: cannot unmarshal …</c> for the value under <paramref name="reader"/> decoded into
    /// field <paramref name="field"/> (Go type <paramref name="goType"/>) of struct <paramref name="goStruct"/>.
    /// </summary>
    public static string TypeMismatch(ref Utf8JsonReader reader, string goStruct, string field, string goType)
    {
        var value = reader.TokenType switch
        {
            JsonTokenType.String => "string",
            JsonTokenType.True or JsonTokenType.False => "bool",
            JsonTokenType.StartObject => "object",
            JsonTokenType.StartArray => "array",
            // A number of the wrong kind names the kind only; one that does not fit an integer shows its text.
            JsonTokenType.Number when goType is "int" or "time.Duration" => "number " + Encoding.UTF8.GetString(reader.ValueSpan),
            _ => "number",
        };
        return $"json: cannot unmarshal {value} into Go struct field {goStruct}.{field} of type {goType}";
    }

    /// <summary>
    /// What Go's scanner says about the first byte that does not fit the structure, in the context
    /// of the last significant byte before it. Literals and numbers are not checked inside (a bad
    /// one reads as the end of the input).
    /// </summary>
    private static string Describe(ReadOnlySpan<byte> json)
    {
        var stack = new Stack<byte>();
        var inString = false;
        var escaped = false;
        byte last = 0;
        var afterKey = false;
        for (var i = 0; i < json.Length; i++)
        {
            var c = json[i];
            if (inString)
            {
                if (escaped)
                {
                    escaped = false;
                }
                else if (c == '\\')
                {
                    escaped = true;
                }
                else if (c == '"')
                {
                    inString = false;
                    afterKey = stack.TryPeek(out var top) && top == '{' && (last is (byte)'{' or (byte)',');
                    last = (byte)'"';
                }
                else if (c < 0x20)
                {
                    return $"invalid character {Quote(c)} in string literal";
                }
                continue;
            }
            if (c is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                continue;
            }
            var context = Expecting(last, afterKey, stack.Count == 0 ? (byte)0 : stack.Peek());
            if (!Fits(c, last, afterKey, stack))
            {
                return context is null ? $"invalid character {Quote(c)} after top-level value" : $"invalid character {Quote(c)} {context}";
            }
            switch (c)
            {
                case (byte)'{' or (byte)'[':
                    stack.Push(c);
                    last = c;
                    break;
                case (byte)'}' or (byte)']':
                    stack.Pop();
                    last = (byte)'v';
                    break;
                case (byte)'"':
                    inString = true;
                    break;
                case (byte)':' or (byte)',':
                    last = c;
                    afterKey = false;
                    break;
                default:
                    // The rest of a literal (number, true, false, null).
                    while (i + 1 < json.Length && json[i + 1] is not ((byte)',' or (byte)'}' or (byte)']' or (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or (byte)':'))
                    {
                        i++;
                    }
                    last = (byte)'v';
                    break;
            }
        }
        return "unexpected end of JSON input";
    }

    /// <summary>Whether byte <paramref name="c"/> may come next, as far as the structure goes.</summary>
    private static bool Fits(byte c, byte last, bool afterKey, Stack<byte> stack)
    {
        var inObject = stack.TryPeek(out var top) && top == '{';
        return last switch
        {
            (byte)'{' => c is (byte)'"' or (byte)'}',
            (byte)',' when inObject => c == '"',
            (byte)'"' when afterKey => c == ':',
            (byte)'"' or (byte)'v' => stack.Count > 0 && (c == ',' || c == (inObject ? '}' : ']')),
            _ => c is (byte)'{' or (byte)'[' or (byte)'"' or (byte)'-' or (>= (byte)'0' and <= (byte)'9') or (byte)'t' or (byte)'f' or (byte)'n' || (last == '[' && c == ']'),
        };
    }

    /// <summary>Go's scanner context after <paramref name="last"/> ('v': a value ended); null after the top-level value.</summary>
    private static string? Expecting(byte last, bool afterKey, byte container) => last switch
    {
        (byte)'{' => "looking for beginning of object key string",
        (byte)',' when container == '{' => "looking for beginning of object key string",
        (byte)'"' when afterKey => "after object key",
        (byte)'"' or (byte)'v' when container == '{' => "after object key:value pair",
        (byte)'"' or (byte)'v' when container == '[' => "after array element",
        (byte)'"' or (byte)'v' => null,
        _ => "looking for beginning of value",
    };

    /// <summary>Go's quoteChar.</summary>
    private static string Quote(byte c) => c switch
    {
        (byte)'\'' => @"'\''",
        (byte)'"' => "'\"'",
        (byte)'\n' => @"'\n'",
        (byte)'\r' => @"'\r'",
        (byte)'\t' => @"'\t'",
        < 0x20 or 0x7f => $@"'\x{c:x2}'",
        _ => "'" + (char)c + "'",
    };
}
