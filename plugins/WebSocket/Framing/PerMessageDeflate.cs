using System.IO.Compression;

namespace Nats.WebSocket.Framing;

/// <summary>
/// RFC 7692 permessage-deflate with no context takeover in either direction (what nats-server
/// always answers): each message is a raw deflate stream ended by a sync flush whose
/// <c>00 00 FF FF</c> tail is dropped on the wire and put back before inflating.
/// </summary>
internal static class PerMessageDeflate
{
    /// <summary>nats-server does not compress fewer bytes than this.</summary>
    public const int CompressThreshold = 64;

    // The sync-flush tail, then an empty final stored block so the inflater sees a clean end.
    private static readonly byte[] Tail = [0x00, 0x00, 0xff, 0xff, 0x01, 0x00, 0x00, 0xff, 0xff];

    /// <summary>Compresses <paramref name="data"/> into <paramref name="output"/> (reset first), without the 4-byte tail.</summary>
    public static void Compress(ReadOnlySpan<byte> data, MemoryStream output)
    {
        output.SetLength(0);
        // No context takeover: a fresh deflater per message, nothing carried over.
        var deflate = new DeflateStream(output, CompressionLevel.Fastest, leaveOpen: true);
        deflate.Write(data);
        deflate.Flush();   // Z_SYNC_FLUSH: ends with 00 00 FF FF
        var compressedLength = output.Length - 4;
        deflate.Dispose(); // writes a final block we cut off below
        output.SetLength(compressedLength);
    }

    /// <summary>
    /// Inflates one message of <paramref name="compressed"/> bytes into <paramref name="output"/>,
    /// refusing (false) as soon as more than <paramref name="maxLength"/> bytes would come out:
    /// nothing past the limit is produced or held.
    /// </summary>
    public static bool TryDecompress(ReadOnlyMemory<byte> compressed, ref byte[] output, out int length, int maxLength)
    {
        using var input = new ConcatenatedReadStream(compressed, Tail);
        using var inflate = new DeflateStream(input, CompressionMode.Decompress);
        length = 0;
        while (true)
        {
            if (length == output.Length)
            {
                if (output.Length > maxLength)
                {
                    return false;
                }
                Array.Resize(ref output, (int)Math.Min((long)maxLength + 1, Math.Max(4096L, output.Length * 2L)));
            }
            // Corrupt input throws InvalidDataException; the caller answers it.
            var read = inflate.Read(output, length, output.Length - length);
            if (read == 0)
            {
                return length <= maxLength;
            }
            length += read;
            if (length > maxLength)
            {
                return false;
            }
        }
    }

    /// <summary>Reads two memories one after the other, without copying them together.</summary>
    private sealed class ConcatenatedReadStream(ReadOnlyMemory<byte> first, ReadOnlyMemory<byte> second) : Stream
    {
        private ReadOnlyMemory<byte> _first = first;
        private ReadOnlyMemory<byte> _second = second;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            ref var source = ref _first.IsEmpty ? ref _second : ref _first;
            var n = Math.Min(buffer.Length, source.Length);
            source.Span[..n].CopyTo(buffer);
            source = source[n..];
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
