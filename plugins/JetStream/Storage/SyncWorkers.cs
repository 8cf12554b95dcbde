using System.Collections.Concurrent;

namespace Nats.JetStream.Storage;

/// <summary>
/// The threads that write and sync file stores: a store with unwritten records is queued once;
/// a worker runs its group commit (write everything pending, one fdatasync, acknowledge) and
/// runs it again while more arrived meanwhile. A few dedicated threads serve every store, so
/// thousands of streams do not mean thousands of threads, and blocking syscalls never occupy
/// the thread pool that serves clients.
/// </summary>
internal sealed class SyncWorkers
{
    public static readonly SyncWorkers Shared = new(Math.Max(2, Environment.ProcessorCount));

    private readonly BlockingCollection<FileStore> _queue = new(new ConcurrentQueue<FileStore>());

    public SyncWorkers(int threads)
    {
        for (var i = 0; i < threads; i++)
        {
            var thread = new Thread(Run) { IsBackground = true, Name = $"js-sync-{i}" };
            thread.Start();
        }
    }

    public void Schedule(FileStore store) => _queue.Add(store);

    private void Run()
    {
        foreach (var store in _queue.GetConsumingEnumerable())
        {
            store.RunSync();
        }
    }
}
