using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Nats.JetStream.Storage;

public sealed partial class FileStore
{
    private string IndexPath => Path.Combine(_msgDir, "index.db");

    private StoreIndex? ReadIndex()
    {
        try
        {
            return File.Exists(IndexPath) ? StoreIndex.Decode(File.ReadAllBytes(IndexPath)) : null;
        }
        catch (IOException e)
        {
            StoreLog.IndexUnreadable(Logger, IndexPath, e.Message);
            return null;
        }
    }

    /// <summary>Writes index.db at shutdown (every block is durable by then).</summary>
    private void WriteIndexLocked()
    {
        try
        {
            var ttl = TtlQueue.UnorderedItems.Select(e => (e.Element, e.Priority));
            var bytes = StoreIndex.Encode(_floor, LastSeqField, Blocks, Subjects.Map, ttl);
            var temp = IndexPath + ".tmp";
            using (var handle = File.OpenHandle(temp, FileMode.Create, FileAccess.Write))
            {
                RandomAccess.Write(handle, bytes, 0);
                NativeSync.DataSync(handle);
            }
            File.Move(temp, IndexPath, overwrite: true);
            NativeSync.SyncDirectory(_msgDir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            StoreLog.IndexWriteFailed(Logger, IndexPath, e.Message);
        }
    }

    /// <summary>Takes per-block counts and the subject state from a matching index.</summary>
    internal bool ApplyIndex(List<(ulong Msgs, ulong Bytes, long RecordBytes)> blocks, List<(string Subject, SubjectState State)> subjects, List<(ulong Seq, long Expires)> ttl)
    {
        for (var i = 0; i < blocks.Count; i++)
        {
            if (Blocks[i].Msgs != blocks[i].Msgs)
            {
                // The blocks say otherwise: they are the truth.
                return false;
            }
        }
        for (var i = 0; i < blocks.Count && i < Blocks.Count; i++)
        {
            var b = Blocks[i];
            b.Bytes = blocks[i].Bytes;
            b.RecordBytes = blocks[i].RecordBytes;
            MsgsField += b.Msgs;
            BytesField += b.Bytes;
        }
        foreach (var (subject, state) in subjects)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(Subjects.Map, subject, out _) = state;
        }
        foreach (var (seq, expires) in ttl)
        {
            TtlQueue.Enqueue(seq, expires);
        }
        return true;
    }
}
