using System.Globalization;
using System.Text;

namespace Nats.TestSupport;

/// <summary>
/// One operation read from the server: the control line as sent, and for MSG/HMSG the parsed
/// arguments with header and payload bytes.
/// </summary>
public sealed record ServerFrame(string Line)
{
    public bool IsMessage => Line.StartsWith("MSG ", StringComparison.Ordinal) || Line.StartsWith("HMSG ", StringComparison.Ordinal);

    public bool HasHeaders => Line.StartsWith("HMSG ", StringComparison.Ordinal);

    public string Subject { get; init; } = "";

    public string Sid { get; init; } = "";

    public string? Reply { get; init; }

    public int HeaderSize { get; init; }

    public int TotalSize { get; init; }

    public byte[] Headers { get; init; } = [];

    public byte[] Payload { get; init; } = [];

    public string PayloadText => Encoding.UTF8.GetString(Payload);

    public string HeaderText => Encoding.UTF8.GetString(Headers);

    /// <summary>Parses <c>MSG subject sid [reply] size</c> or <c>HMSG subject sid [reply] hdr total</c>.</summary>
    public static ServerFrame ParseMessageLine(string line)
    {
        var parts = line.Split(' ');
        var headers = parts[0] == "HMSG";
        var sizes = headers ? 2 : 1;
        var hasReply = parts.Length == 3 + sizes + 1;
        Assert.That(parts.Length, Is.EqualTo(3 + sizes).Or.EqualTo(4 + sizes), $"malformed message line '{line}'");
        var total = int.Parse(parts[^1], CultureInfo.InvariantCulture);
        return new ServerFrame(line)
        {
            Subject = parts[1],
            Sid = parts[2],
            Reply = hasReply ? parts[3] : null,
            HeaderSize = headers ? int.Parse(parts[^2], CultureInfo.InvariantCulture) : 0,
            TotalSize = total,
        };
    }
}
