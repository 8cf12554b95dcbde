using System.Buffers;

namespace Nats.Core.Connections;

/// <summary>
/// The pool of 64 KB output chunks shared by all connections. ArrayPool.Shared keeps only a
/// few dozen arrays per size and core; a fan-out whose subscribers each hold a few megabytes
/// in flight needs hundreds, and every chunk the shared pool cannot keep would be a fresh
/// allocation (and fresh memory). This one keeps up to a fixed budget, so a busy server
/// stops allocating once warm and an idle one holds at most that budget.
/// </summary>
internal static class ChunkPool
{
    /// <summary>The size of a chunk.</summary>
    public const int ChunkSize = 64 * 1024;

    // 32 MB: what a handful of subscribers at the back-pressure limit keep in flight.
    private const int MaxRetained = 512;

    private static readonly Lock Sync = new();
    private static readonly byte[][] Retained = new byte[MaxRetained][];
    private static int s_count;

    /// <summary>A chunk of <see cref="ChunkSize"/> bytes.</summary>
    public static byte[] Rent()
    {
        lock (Sync)
        {
            if (s_count > 0)
            {
                var chunk = Retained[--s_count];
                Retained[s_count] = null!;
                return chunk;
            }
        }
        return GC.AllocateUninitializedArray<byte>(ChunkSize);
    }

    /// <summary>Gives a buffer back: full-size chunks to this pool, smaller ones to the shared pool.</summary>
    public static void Return(byte[] buffer)
    {
        if (buffer.Length != ChunkSize)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return;
        }
        lock (Sync)
        {
            if (s_count < MaxRetained)
            {
                Retained[s_count++] = buffer;
            }
        }
    }
}
