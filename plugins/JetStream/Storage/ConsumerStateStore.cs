using Microsoft.Extensions.Logging;

namespace Nats.JetStream.Storage;

/// <summary>
/// Keeps a consumer's state. The consumer engine hands it a new state after deliveries and
/// acks (<see cref="Update"/>, cheap); the store persists the latest one in the background and
/// on <see cref="FlushAsync"/> (an ack that asked for a reply waits for it), so many acks share
/// one write.
/// </summary>
public interface IConsumerStateStore : IDisposable
{
    /// <summary>The state found at open, or null for a new consumer.</summary>
    ConsumerState? Initial { get; }

    /// <summary>Records the consumer's current state (copied by the caller under its lock).</summary>
    void Update(ConsumerState state);

    /// <summary>Completes when the last state given is durable.</summary>
    ValueTask FlushAsync();

    /// <summary>Removes the consumer's persisted state.</summary>
    void Delete();
}

/// <summary>Memory streams' consumers: nothing to persist.</summary>
public sealed class MemoryConsumerStateStore : IConsumerStateStore
{
    /// <inheritdoc />
    public ConsumerState? Initial => null;

    /// <inheritdoc />
    public void Update(ConsumerState state)
    {
    }

    /// <inheritdoc />
    public ValueTask FlushAsync() => ValueTask.CompletedTask;

    /// <inheritdoc />
    public void Delete()
    {
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }
}

/// <summary>
/// File streams' consumers: <c>obs/&lt;name&gt;/state.dat</c>, replaced atomically (write a
/// temporary file, fdatasync, rename, sync the directory), checksummed; a damaged file is
/// reported and the consumer starts from its config as nats-server does with a lost state.
/// </summary>
public sealed class FileConsumerStateStore : IConsumerStateStore
{
    private readonly string _dir;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Timer _timer;

    /// <summary>The newest state not yet written (guarded by _gate, as the fields below).</summary>
    private byte[]? _pending;
    private bool _writing;
    private TaskCompletionSource? _waiters;
    private bool _closed;

    /// <summary>Keeps a consumer's state in <paramref name="directory"/>, writing the newest state at most every <paramref name="flushInterval"/>.</summary>
    public FileConsumerStateStore(string directory, ILogger logger, TimeSpan flushInterval)
    {
        _dir = directory;
        _logger = logger;
        Directory.CreateDirectory(directory);
        var path = StatePath;
        if (File.Exists(path))
        {
            Initial = ConsumerStateCodec.Decode(File.ReadAllBytes(path));
            if (Initial is null)
            {
                StoreLog.ConsumerStateDamaged(_logger, path);
                File.Move(path, path + ".corrupt", overwrite: true);
            }
        }
        _timer = new Timer(_ => WriteLatest(), null, flushInterval, flushInterval);
    }

    private string StatePath => Path.Combine(_dir, "state.dat");

    /// <inheritdoc />
    public ConsumerState? Initial { get; }

    /// <inheritdoc />
    public void Update(ConsumerState state)
    {
        var bytes = ConsumerStateCodec.Encode(state);
        lock (_gate)
        {
            _pending = bytes;
        }
    }

    /// <inheritdoc />
    public ValueTask FlushAsync()
    {
        Task task;
        lock (_gate)
        {
            if (_pending is null && !_writing)
            {
                return ValueTask.CompletedTask;
            }
            _waiters ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            task = _waiters.Task;
        }
        ThreadPool.UnsafeQueueUserWorkItem(_ => WriteLatest(), null);
        return new ValueTask(task);
    }

    /// <summary>Writes the newest state if there is one (one writer at a time; waiters share the write).</summary>
    private void WriteLatest()
    {
        while (true)
        {
            byte[] bytes;
            TaskCompletionSource? waiters;
            lock (_gate)
            {
                if (_writing || _closed)
                {
                    return;
                }
                if (_pending is null)
                {
                    _waiters?.TrySetResult();
                    _waiters = null;
                    return;
                }
                bytes = _pending;
                _pending = null;
                waiters = _waiters;
                _waiters = null;
                _writing = true;
            }
            try
            {
                var temp = StatePath + ".tmp";
                using (var handle = File.OpenHandle(temp, FileMode.Create, FileAccess.Write))
                {
                    RandomAccess.Write(handle, bytes, 0);
                    NativeSync.DataSync(handle);
                }
                File.Move(temp, StatePath, overwrite: true);
                NativeSync.SyncDirectory(_dir);
                waiters?.TrySetResult();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                StoreLog.ConsumerStateWriteFailed(_logger, e, StatePath);
                waiters?.TrySetException(e);
            }
            finally
            {
                lock (_gate)
                {
                    _writing = false;
                }
            }
        }
    }

    /// <inheritdoc />
    public void Delete()
    {
        Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _timer.Dispose();
        WriteLatest();
        lock (_gate)
        {
            _closed = true;
            _waiters?.TrySetResult();
        }
    }
}
