using System.Buffers;
using System.Text;

namespace Nats.Core.Subjects;

/// <summary>
/// UTF-8 bytes of a string, in a caller-provided stack buffer when they fit and in a pooled
/// array otherwise. Lets every string overload of the subject helpers reuse the byte code
/// without allocating, and a plugin hand a string subject to code that takes bytes.
/// </summary>
/// <example><c>using var utf8 = new Utf8Scratch(subject, stackalloc byte[Utf8Scratch.StackSize]);</c></example>
public ref struct Utf8Scratch
{
    /// <summary>Size of the stack buffer callers pass: enough for nearly all subjects.</summary>
    public const int StackSize = 256;

    private byte[]? _rented;

    /// <summary>Encodes <paramref name="value"/> into <paramref name="stackBuffer"/>, or a pooled array when it may not fit.</summary>
    public Utf8Scratch(string value, Span<byte> stackBuffer)
    {
        ArgumentNullException.ThrowIfNull(value);
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        var buffer = max <= stackBuffer.Length ? stackBuffer : (_rented = ArrayPool<byte>.Shared.Rent(max));
        // Lone surrogates become U+FFFD, which the rune check then rejects, as Go does for
        // strings that are not valid UTF-8.
        var written = Encoding.UTF8.GetBytes(value, buffer);
        Bytes = buffer[..written];
    }

    /// <summary>The encoded bytes.</summary>
    public ReadOnlySpan<byte> Bytes { get; }

    /// <summary>Returns the pooled array, if one was needed.</summary>
    public void Dispose()
    {
        if (_rented is not null)
        {
            ArrayPool<byte>.Shared.Return(_rented);
            _rented = null;
        }
    }
}
