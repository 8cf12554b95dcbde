using System.Text;

namespace Nats.TestSupport;

/// <summary>Builds client protocol frames with correct sizes, so tests state intent rather than byte counts.</summary>
public static class Wire
{
    public static string Pub(string subject, string payload, string? reply = null) =>
        $"PUB {subject}{(reply is null ? "" : " " + reply)} {Encoding.UTF8.GetByteCount(payload)}\r\n{payload}\r\n";

    /// <summary>HPUB with a header block <c>NATS/1.0\r\n{headerLines}\r\n</c>; each header line must end with CRLF.</summary>
    public static string Hpub(string subject, string headerLines, string payload, string? reply = null)
    {
        var headers = "NATS/1.0\r\n" + headerLines + "\r\n";
        var h = Encoding.UTF8.GetByteCount(headers);
        return $"HPUB {subject}{(reply is null ? "" : " " + reply)} {h} {h + Encoding.UTF8.GetByteCount(payload)}\r\n{headers}{payload}\r\n";
    }

    /// <summary>The header block <see cref="Hpub"/> sends.</summary>
    public static string HeaderBlock(string headerLines) => "NATS/1.0\r\n" + headerLines + "\r\n";
}
