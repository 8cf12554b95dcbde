using Microsoft.Extensions.Logging;
namespace Nats.JetStream.Storage;

public sealed partial class FileStore
{
    /// <summary>Queues the store for its sync worker unless it is already queued or running.</summary>
    private bool ScheduleLocked()
    {
        if (_syncScheduled)
        {
            return false;
        }
        _syncScheduled = true;
        return true;
    }

    private bool HasPendingLocked()
    {
        if (_nextCommit is not null || _pendingDeletes.Count > 0 || _forceFsync || _directoryDirty)
        {
            return true;
        }
        foreach (var block in _handles.Keys)
        {
            if (block.Written < block.Length)
            {
                return true;
            }
        }
        return false;
    }

    private protected override void AfterWrite()
    {
        bool schedule;
        lock (Gate)
        {
            schedule = HasPendingLocked() && ScheduleLocked();
        }
        if (schedule)
        {
            SyncWorkers.Shared.Schedule(_runSync);
        }
    }

    /// <inheritdoc />
    public override ValueTask FlushAsync()
    {
        bool schedule;
        Task task;
        lock (Gate)
        {
            if (!_syncScheduled && !HasPendingLocked())
            {
                return ValueTask.CompletedTask;
            }
            _nextCommit ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            task = _nextCommit.Task;
            schedule = ScheduleLocked();
        }
        if (schedule)
        {
            SyncWorkers.Shared.Schedule(_runSync);
        }
        return new ValueTask(task);
    }

    /// <summary>
    /// One or more group commits, on a sync worker: take every unwritten range, write it, sync
    /// once per file, then tell the listener and the waiters. Appends that arrive meanwhile go
    /// into the next round.
    /// </summary>
    internal void RunSync()
    {
        while (true)
        {
            TaskCompletionSource? commit;
            List<Block>? deletes;
            bool syncDirectory;
            bool fsync;
            ulong lastSeq;
            IStoreListener? listener;
            lock (Gate)
            {
                _writes.Clear();
                foreach (var (block, handle) in _handles)
                {
                    if (block.Written < block.Length)
                    {
                        _writes.Add(new PendingWrite(block, handle, block.Data!, block.Written, block.Length));
                        block.Written = block.Length;
                    }
                }
                _writes.Sort((a, b) => a.Block.Id.CompareTo(b.Block.Id));
                _floorBlock = null;
                commit = _nextCommit;
                _nextCommit = null;
                // Taken only when not empty, and then replaced: an empty list kept as the pending
                // one could gain a block while this pass runs, whose file would then go before
                // what replaced it is durable (and the list change under the loops below).
                deletes = _pendingDeletes.Count == 0 ? null : _pendingDeletes;
                if (deletes is not null)
                {
                    _pendingDeletes = [];
                }
                syncDirectory = _directoryDirty;
                _directoryDirty = false;
                fsync = _options.Sync == SyncMode.Always || _forceFsync;
                _forceFsync = false;
                lastSeq = LastSeqField;
                listener = Listener;
            }
            // In Always mode every earlier write to these files was synced, so a write that is
            // durable by itself (RWF_DSYNC, one system call) may stand in for write + fdatasync.
            var durableWrites = fsync && _options.Sync == SyncMode.Always;
            try
            {
                for (var i = 0; i < _writes.Count; i++)
                {
                    var w = _writes[i];
                    if (w.To > w.Block.Allocated)
                    {
                        AllocateAhead(w.Block, w.Handle, w.To);
                    }
                    var data = w.Data.AsSpan(w.From, w.To - w.From);
                    if (durableWrites && NativeSync.TryWriteDurable(w.Handle, data, w.From))
                    {
                        _writes[i] = w with { Synced = true };
                        continue;
                    }
                    RandomAccess.Write(w.Handle, data, w.From);
                }
                if (fsync)
                {
                    foreach (var w in _writes)
                    {
                        if (!w.Synced)
                        {
                            NativeSync.DataSync(w.Handle);
                        }
                    }
                    if (_options.Sync == SyncMode.Interval)
                    {
                        foreach (var handle in SnapshotHandles())
                        {
                            NativeSync.DataSync(handle);
                        }
                    }
                }
                if (syncDirectory)
                {
                    NativeSync.SyncDirectory(_msgDir);
                }
                // Files of dropped blocks go only now that what replaced them (floors, tombstones) is durable.
                if (deletes is not null)
                {
                    foreach (var block in deletes)
                    {
                        File.Delete(BlockPath(block.Id));
                    }
                    NativeSync.SyncDirectory(_msgDir);
                }
            }
            catch (Exception e)
            {
                FailWrites(e, commit);
                return;
            }
            ulong notify = 0;
            lock (Gate)
            {
                var sealedDurable = false;
                foreach (var w in _writes)
                {
                    w.Block.Durable = Math.Max(w.Block.Durable, w.To);
                    if (w.Block != ActiveLocked && w.Block.Durable == w.Block.Length && _handles.Remove(w.Block, out var sealedHandle))
                    {
                        CutToLength(w.Block, sealedHandle);
                        sealedHandle.Dispose();
                        sealedDurable = true;
                    }
                }
                if (sealedDurable)
                {
                    // A sealed block's bytes are now on disk: the cache may drop them.
                    TrimCacheLocked();
                }
                if (deletes is not null)
                {
                    foreach (var block in deletes)
                    {
                        if (_handles.Remove(block, out var h))
                        {
                            h.Dispose();
                        }
                    }
                }
                if (fsync)
                {
                    _unsynced = false;
                    _lastFsync = Environment.TickCount64;
                }
                else if (_writes.Count > 0)
                {
                    _unsynced = true;
                }
                if (lastSeq > VisibleSeq)
                {
                    VisibleSeq = lastSeq;
                    notify = lastSeq;
                }
            }
            if (notify != 0)
            {
                listener?.MessagesDurable(notify);
            }
            commit?.TrySetResult();
            lock (Gate)
            {
                if (Closed || !HasPendingLocked())
                {
                    SyncWorkers.Shared.Ending();
                    _syncScheduled = false;
                    return;
                }
            }
        }
    }

    /// <summary>
    /// Grows a block's file ahead of its data, in steps (as much as it holds, from 64 KB up to
    /// 1 MB, within the block size), so that the commits below the new end do not change the
    /// file's size: without it every fdatasync of an append also wrote the inode (on this
    /// ext4, a second synchronous write: 136 us against 97 us per sync measured, issue 16).
    /// Recovery reads the zeros past the data as its end; sealed blocks are cut back.
    /// </summary>
    private void AllocateAhead(Block block, Microsoft.Win32.SafeHandles.SafeFileHandle handle, int end)
    {
        if (_noPreallocate)
        {
            return;
        }
        var step = Math.Clamp(block.Allocated, MinAllocateStep, MaxAllocateStep);
        var target = Math.Max(end, Math.Min(block.Allocated + step, _options.BlockSize));
        if (NativeSync.Preallocate(handle, target, out var unsupported))
        {
            block.Allocated = target;
        }
        else if (unsupported)
        {
            // Another OS or a file system without fallocate: this store appends from now on.
            _noPreallocate = true;
        }
        // Otherwise no room for the step: this write appends, the next commit tries again.
    }

    /// <summary>A block that is complete and durable gives back the space allocated past its data.</summary>
    private static void CutToLength(Block block, Microsoft.Win32.SafeHandles.SafeFileHandle handle)
    {
        if (block.Allocated <= block.Length)
        {
            return;
        }
        try
        {
            // Not synced: if the cut is lost in a crash, recovery reads the zeros as the end.
            RandomAccess.SetLength(handle, block.Length);
            block.Allocated = block.Length;
        }
        catch (IOException)
        {
        }
    }

    private List<Microsoft.Win32.SafeHandles.SafeFileHandle> SnapshotHandles()
    {
        lock (Gate)
        {
            return [.. _handles.Values];
        }
    }

    /// <summary>
    /// A write or sync failed (disk full, I/O error): nothing after the last durable point may be
    /// trusted, so the files are cut back to it and the store recovers from disk; the listener
    /// fails every publish not yet acknowledged.
    /// </summary>
    private void FailWrites(Exception error, TaskCompletionSource? commit)
    {
        StoreLog.WriteFailed(Logger, error, _options.Directory);
        IStoreListener? listener;
        ulong durable;
        lock (Gate)
        {
            foreach (var (block, handle) in _handles)
            {
                try
                {
                    RandomAccess.SetLength(handle, block.Durable);
                }
                catch (IOException)
                {
                }
                handle.Dispose();
            }
            _handles.Clear();
            _nextCommit?.TrySetException(error);
            _nextCommit = null;
            _pendingDeletes = [];
            listener = Listener;
            durable = VisibleSeq;
            try
            {
                RecoverLocked();
            }
            catch (Exception e)
            {
                StoreLog.WriteRecoveryFailed(Logger, e, _options.Directory);
                Closed = true;
                DetachUsageLocked();
            }
            SyncWorkers.Shared.Ending();
            _syncScheduled = false;
        }
        commit?.TrySetException(error);
        listener?.WriteFailed(durable, error);
    }
}
