using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace Nats.Server.Hosting;

/// <summary>
/// Writes an <see cref="IConfiguration"/> section as nats-server config text, so the kernel's
/// own parser and binder read it: one set of keys, checks and messages whether the settings
/// come from a <c>.conf</c> file or from <c>appsettings.json</c>. A section whose children are
/// <c>0</c>, <c>1</c>… is a list; a value that reads as a number, size (<c>1MB</c>) or boolean
/// is written bare, anything else as a quoted string.
/// </summary>
internal static partial class ConfigurationConfText
{
    public static string Write(IConfiguration section)
    {
        var text = new StringBuilder();
        WriteMembers(text, section, 0);
        return text.ToString();
    }

    private static void WriteMembers(StringBuilder text, IConfiguration section, int depth)
    {
        foreach (var child in section.GetChildren())
        {
            text.Append(' ', depth * 2).Append(Key(child.Key)).Append(": ");
            WriteValue(text, child, depth);
            text.Append('\n');
        }
    }

    private static void WriteValue(StringBuilder text, IConfigurationSection section, int depth)
    {
        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            text.Append(Scalar(section.Value ?? ""));
        }
        else if (children.All(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            text.Append("[\n");
            foreach (var item in children.OrderBy(c => int.Parse(c.Key, CultureInfo.InvariantCulture)))
            {
                text.Append(' ', (depth + 1) * 2);
                WriteValue(text, item, depth + 1);
                text.Append('\n');
            }
            text.Append(' ', depth * 2).Append(']');
        }
        else
        {
            text.Append("{\n");
            WriteMembers(text, section, depth + 1);
            text.Append(' ', depth * 2).Append('}');
        }
    }

    // Quoted strings escape only the quote and the backslash, as the config parser reads them.
    private static readonly JsonSerializerOptions Quoting = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Key(string key) => BareKey().IsMatch(key) ? key : JsonSerializer.Serialize(key, Quoting);

    private static string Scalar(string value) => BareValue().IsMatch(value) ? value : JsonSerializer.Serialize(value, Quoting);

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_.-]*$")]
    private static partial Regex BareKey();

    [GeneratedRegex("^(-?[0-9]+(\\.[0-9]+)?([KkMmGgTt][Ii]?[Bb]?)?|true|false|True|False)$")]
    private static partial Regex BareValue();
}
