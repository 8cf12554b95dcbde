using System.Buffers.Binary;
using System.IO.Hashing;

namespace Nats.JetStream.Storage;

/// <summary>The kinds of records a block holds.</summary>
internal enum RecordKind : byte
{
    /// <summary>A stored message.</summary>
    Message = 1,
    /// <summary>An interior delete: <c>seq</c> names the removed message.</summary>
    Tombstone = 2,
    /// <summary>Every sequence below <c>seq</c> is removed (front removals, purges, first_seq).</summary>
    Floor = 3,
    /// <summary>A sequence used without a message (skipped).</summary>
    Skip = 4,
}

/// <summary>
/// The on-disk layout of blocks and records (little-endian), see README.md:
/// file header <c>"NJSB" | version u16 | reserved u16 | block id u64</c> (16 bytes), then records
/// <c>length u32 | kind u8 | flags u8 | subject length u16 | seq u64 | timestamp i64 | header length u32
/// | [ttl i64] | subject | headers | payload | checksum u64</c>. The checksum is XXH3-64 of every
/// byte of the record before it, seeded with the block id, so a record copied into the wrong
/// block or a stale block file also fails verification.
/// </summary>
internal static class RecordFormat
{
    public const int FileHeaderSize = 16;
    public const int FixedSize = 28;
    public const int ChecksumSize = 8;
    public const int MinRecordSize = FixedSize + ChecksumSize;
    public const ushort Version = 1;
    public const byte FlagTtl = 1;
    public static ReadOnlySpan<byte> Magic => "NJSB"u8;

    /// <summary>A record of this size or bigger is damage, not data (no message is this large).</summary>
    public const int MaxRecordSize = 1 << 30;

    public static int RecordSize(int subjectLength, int headerLength, int payloadLength, long ttl) =>
        FixedSize + (ttl != 0 ? 8 : 0) + subjectLength + headerLength + payloadLength + ChecksumSize;

    public static void WriteFileHeader(Span<byte> destination, ulong blockId)
    {
        Magic.CopyTo(destination);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], Version);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], 0);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], blockId);
    }

    public static bool CheckFileHeader(ReadOnlySpan<byte> source, ulong blockId) =>
        source.Length >= FileHeaderSize && source[..4].SequenceEqual(Magic)
        && BinaryPrimitives.ReadUInt16LittleEndian(source[4..]) == Version
        && BinaryPrimitives.ReadUInt64LittleEndian(source[8..]) == blockId;

    /// <summary>Encodes a record into <paramref name="destination"/> (exactly <see cref="RecordSize"/> bytes).</summary>
    public static void Write(Span<byte> destination, ulong blockId, RecordKind kind, ulong seq, long timestamp, long ttl,
        ReadOnlySpan<byte> subject, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload, bool checksum)
    {
        var size = RecordSize(subject.Length, headers.Length, payload.Length, ttl);
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)size);
        destination[4] = (byte)kind;
        destination[5] = ttl != 0 ? FlagTtl : (byte)0;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], (ushort)subject.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], seq);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], timestamp);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[24..], (uint)headers.Length);
        var at = FixedSize;
        if (ttl != 0)
        {
            BinaryPrimitives.WriteInt64LittleEndian(destination[at..], ttl);
            at += 8;
        }
        subject.CopyTo(destination[at..]);
        at += subject.Length;
        headers.CopyTo(destination[at..]);
        at += headers.Length;
        payload.CopyTo(destination[at..]);
        at += payload.Length;
        var sum = checksum ? XxHash3.HashToUInt64(destination[..at], (long)blockId) : 0UL;
        BinaryPrimitives.WriteUInt64LittleEndian(destination[at..], sum);
    }

    /// <summary>What <see cref="TryRead"/> found at an offset.</summary>
    public enum ReadStatus
    {
        Ok,
        /// <summary>A zero length: the end of written data (a preallocated or zero-filled tail).</summary>
        End,
        /// <summary>The record runs past the end of the data: torn, or a damaged length.</summary>
        Truncated,
        /// <summary>A malformed record or a checksum that does not match.</summary>
        Corrupt,
    }

    /// <summary>Reads and verifies the record at the start of <paramref name="source"/>.</summary>
    public static ReadStatus TryRead(ReadOnlySpan<byte> source, ulong blockId, bool verify, out Record record)
    {
        record = default;
        if (source.Length < 4)
        {
            return source.IndexOfAnyExcept((byte)0) < 0 ? ReadStatus.End : ReadStatus.Truncated;
        }
        var size = BinaryPrimitives.ReadUInt32LittleEndian(source);
        if (size == 0)
        {
            return ReadStatus.End;
        }
        if (size < MinRecordSize || size >= MaxRecordSize)
        {
            return ReadStatus.Corrupt;
        }
        if (size > source.Length)
        {
            return ReadStatus.Truncated;
        }
        var kind = (RecordKind)source[4];
        var flags = source[5];
        var subjectLength = BinaryPrimitives.ReadUInt16LittleEndian(source[6..]);
        var headerLength = BinaryPrimitives.ReadUInt32LittleEndian(source[24..]);
        var fixedPart = FixedSize + ((flags & FlagTtl) != 0 ? 8 : 0);
        if (kind is < RecordKind.Message or > RecordKind.Skip || (flags & ~FlagTtl) != 0
            || (long)fixedPart + subjectLength + headerLength + ChecksumSize > size)
        {
            return ReadStatus.Corrupt;
        }
        var body = (int)size - ChecksumSize;
        if (verify)
        {
            var expected = BinaryPrimitives.ReadUInt64LittleEndian(source[body..]);
            if (XxHash3.HashToUInt64(source[..body], (long)blockId) != expected)
            {
                return ReadStatus.Corrupt;
            }
        }
        record = new Record(
            kind,
            BinaryPrimitives.ReadUInt64LittleEndian(source[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(source[16..]),
            (flags & FlagTtl) != 0 ? BinaryPrimitives.ReadInt64LittleEndian(source[FixedSize..]) : 0,
            (int)size,
            fixedPart,
            subjectLength,
            (int)headerLength,
            body - fixedPart - subjectLength - (int)headerLength);
        return ReadStatus.Ok;
    }
}

/// <summary>A decoded record header: where its parts are, relative to the record's start.</summary>
internal readonly record struct Record(RecordKind Kind, ulong Seq, long Timestamp, long Ttl, int Size,
    int SubjectOffset, int SubjectLength, int HeaderLength, int PayloadLength)
{
    public ReadOnlySpan<byte> Subject(ReadOnlySpan<byte> record) => record.Slice(SubjectOffset, SubjectLength);

    public ReadOnlySpan<byte> Headers(ReadOnlySpan<byte> record) => record.Slice(SubjectOffset + SubjectLength, HeaderLength);

    public ReadOnlySpan<byte> Payload(ReadOnlySpan<byte> record) => record.Slice(SubjectOffset + SubjectLength + HeaderLength, PayloadLength);
}
