namespace Nats.Core.Security;

/// <summary>Sizing of a <see cref="BcryptWorker"/>.</summary>
public sealed record BcryptWorkerOptions
{
    /// <summary>
    /// Dedicated threads running bcrypt, i.e. at most this many verifications at once (default 1).
    /// Each costs a full core while it runs, so keep it well below the core count.
    /// </summary>
    public int WorkerThreads { get; init; } = 1;

    /// <summary>
    /// Verifications allowed to wait for a thread (default 256). Beyond it <see cref="BcryptWorker.VerifyAsync"/>
    /// fails at once with <see cref="BcryptQueueFullException"/> instead of letting a flood of
    /// logins queue without bound.
    /// </summary>
    public int MaxQueueLength { get; init; } = 256;

    /// <summary>Successful verifications remembered (default 1024; 0 disables the cache).</summary>
    public int CacheCapacity { get; init; } = 1024;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(WorkerThreads, 1, nameof(WorkerThreads));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxQueueLength, 1, nameof(MaxQueueLength));
        ArgumentOutOfRangeException.ThrowIfNegative(CacheCapacity, nameof(CacheCapacity));
    }
}
