using System.Text;

namespace Nats.Core.Config.Parsing;

/// <summary>
/// Builds the text of a string token. <c>\xHH</c> escapes produce bytes: a run of them is
/// decoded as UTF-8 when it is valid UTF-8 (so <c>\xc3\xa9</c> is "é", as in Go), and
/// otherwise byte by byte as Latin-1 (so <c>\xe9</c> alone is also "é").
/// </summary>
internal sealed class TextBuilder
{
    private static readonly Encoding StrictUtf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);

    private readonly StringBuilder _text = new();
    private readonly List<byte> _pendingBytes = [];

    public bool HasEscapes { get; private set; }

    public TextBuilder(string prefix = "") => _text.Append(prefix);

    public void Append(char c)
    {
        FlushBytes();
        _text.Append(c);
    }

    public void AppendEscaped(char c)
    {
        HasEscapes = true;
        Append(c);
    }

    public void AppendEscapedByte(byte b)
    {
        HasEscapes = true;
        _pendingBytes.Add(b);
    }

    public override string ToString()
    {
        FlushBytes();
        return _text.ToString();
    }

    private void FlushBytes()
    {
        if (_pendingBytes.Count == 0)
            return;
        var bytes = _pendingBytes.ToArray();
        _pendingBytes.Clear();
        try
        {
            _text.Append(StrictUtf8.GetString(bytes));
        }
        catch (DecoderFallbackException)
        {
            _text.Append(Encoding.Latin1.GetString(bytes));
        }
    }
}
