using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Nats.JetStream.Storage;

/// <summary>
/// <c>msgs/index.db</c>: the state a clean shutdown leaves so the next start need not rebuild
/// the per-subject state from every record. It is only a shortcut: it is used when it names
/// exactly the blocks found, with their lengths, floor and last sequence, and its own checksum
/// holds; otherwise the blocks are the truth and the state is rebuilt from them. It is deleted
/// when the store opens (the blocks change from then on) and written again at shutdown.
/// </summary>
internal sealed class StoreIndex
{
    private static ReadOnlySpan<byte> Magic => "NJSI"u8;
    private const uint Version = 1;

    private readonly record struct BlockEntry(ulong Id, int Length, ulong First, ulong Last, ulong Msgs, ulong Bytes, long RecordBytes);

    private readonly record struct SubjectEntry(string Subject, ulong Msgs, ulong First, ulong Last, bool FirstStale, bool LastStale);

    private ulong _floor;
    private ulong _lastSeq;
    private readonly List<BlockEntry> _blocks = [];
    private readonly List<SubjectEntry> _subjects = [];
    private readonly List<(ulong Seq, long Expires)> _ttl = [];

    public bool Matches(List<Block> blocks, ulong floor, ulong lastSeq)
    {
        if (floor != _floor || lastSeq != _lastSeq || blocks.Count != _blocks.Count)
        {
            return false;
        }
        for (var i = 0; i < blocks.Count; i++)
        {
            var b = blocks[i];
            var e = _blocks[i];
            if (b.Id != e.Id || b.Length != e.Length || b.First != e.First || b.Last != e.Last)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Takes the counts and subjects from the index (the bitmaps came from the blocks).</summary>
    public bool ApplyTo(FileStore store) => store.ApplyIndex(_blocks.Select(b => (b.Msgs, b.Bytes, b.RecordBytes)).ToList(),
        _subjects.Select(s => (s.Subject, new SubjectState { Msgs = s.Msgs, First = s.First, Last = s.Last, FirstStale = s.FirstStale, LastStale = s.LastStale })).ToList(),
        _ttl);

    public static byte[] Encode(ulong floor, ulong lastSeq, IReadOnlyList<Block> blocks, Dictionary<string, SubjectState> subjects, IEnumerable<(ulong Seq, long Expires)> ttl)
    {
        var buffer = new ArrayBufferWriter(1024 + blocks.Count * 52 + subjects.Count * 48);
        buffer.Bytes(Magic);
        buffer.U32(Version);
        buffer.U64(floor);
        buffer.U64(lastSeq);
        buffer.U32((uint)blocks.Count);
        foreach (var b in blocks)
        {
            buffer.U64(b.Id);
            buffer.U32((uint)b.Length);
            buffer.U64(b.First);
            buffer.U64(b.Last);
            buffer.U64(b.Msgs);
            buffer.U64(b.Bytes);
            buffer.U64((ulong)b.RecordBytes);
        }
        buffer.U32((uint)subjects.Count);
        foreach (var (subject, st) in subjects)
        {
            var utf8 = Encoding.UTF8.GetBytes(subject);
            buffer.U32((uint)utf8.Length);
            buffer.Bytes(utf8);
            buffer.U64(st.Msgs);
            buffer.U64(st.First);
            buffer.U64(st.Last);
            buffer.Byte((byte)((st.FirstStale ? 1 : 0) | (st.LastStale ? 2 : 0)));
        }
        var entries = ttl.ToList();
        buffer.U32((uint)entries.Count);
        foreach (var (seq, expires) in entries)
        {
            buffer.U64(seq);
            buffer.U64((ulong)expires);
        }
        buffer.U64(XxHash3.HashToUInt64(buffer.Written));
        return buffer.Written.ToArray();
    }

    /// <summary>Decodes an index; null when it is damaged or of another version.</summary>
    public static StoreIndex? Decode(ReadOnlySpan<byte> data)
    {
        if (data.Length < 16 || !data[..4].SequenceEqual(Magic))
        {
            return null;
        }
        var body = data[..^8];
        if (XxHash3.HashToUInt64(body) != BinaryPrimitives.ReadUInt64LittleEndian(data[^8..]))
        {
            return null;
        }
        var r = new SpanReader(body);
        r.Skip(4);
        if (r.U32() != Version)
        {
            return null;
        }
        var index = new StoreIndex { _floor = r.U64(), _lastSeq = r.U64() };
        var blocks = r.U32();
        for (var i = 0; i < blocks; i++)
        {
            index._blocks.Add(new BlockEntry(r.U64(), (int)r.U32(), r.U64(), r.U64(), r.U64(), r.U64(), (long)r.U64()));
        }
        var subjects = r.U32();
        for (var i = 0; i < subjects; i++)
        {
            var length = (int)r.U32();
            var subject = Encoding.UTF8.GetString(r.Take(length));
            var msgs = r.U64();
            var first = r.U64();
            var last = r.U64();
            var flags = r.Byte();
            index._subjects.Add(new SubjectEntry(subject, msgs, first, last, (flags & 1) != 0, (flags & 2) != 0));
        }
        var ttl = r.U32();
        for (var i = 0; i < ttl; i++)
        {
            index._ttl.Add((r.U64(), (long)r.U64()));
        }
        return r.Ok ? index : null;
    }

    private sealed class ArrayBufferWriter(int capacity)
    {
        private byte[] _data = new byte[capacity];
        private int _length;

        public ReadOnlySpan<byte> Written => _data.AsSpan(0, _length);

        private Span<byte> Grow(int n)
        {
            if (_length + n > _data.Length)
            {
                Array.Resize(ref _data, Math.Max(_data.Length * 2, _length + n));
            }
            var span = _data.AsSpan(_length, n);
            _length += n;
            return span;
        }

        public void Bytes(ReadOnlySpan<byte> b) => b.CopyTo(Grow(b.Length));

        public void Byte(byte b) => Grow(1)[0] = b;

        public void U32(uint v) => BinaryPrimitives.WriteUInt32LittleEndian(Grow(4), v);

        public void U64(ulong v) => BinaryPrimitives.WriteUInt64LittleEndian(Grow(8), v);
    }

    private ref struct SpanReader(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _rest = data;

        public bool Ok { get; private set; } = true;

        public ReadOnlySpan<byte> Take(int n)
        {
            if (n < 0 || n > _rest.Length)
            {
                Ok = false;
                _rest = default;
                return default;
            }
            var span = _rest[..n];
            _rest = _rest[n..];
            return span;
        }

        public void Skip(int n) => Take(n);

        public byte Byte()
        {
            var s = Take(1);
            return s.Length == 1 ? s[0] : (byte)0;
        }

        public uint U32()
        {
            var s = Take(4);
            return s.Length == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(s) : 0;
        }

        public ulong U64()
        {
            var s = Take(8);
            return s.Length == 8 ? BinaryPrimitives.ReadUInt64LittleEndian(s) : 0;
        }
    }
}
