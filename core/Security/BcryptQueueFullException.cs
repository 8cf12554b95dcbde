namespace Nats.Core.Security;

/// <summary>
/// Thrown by <see cref="BcryptWorker.VerifyAsync"/> when its queue is full: the login is refused
/// without being checked. Callers deny the connection (it may retry) rather than wait.
/// </summary>
public sealed class BcryptQueueFullException : Exception
{
    /// <summary>Creates the exception for a queue of <paramref name="limit"/> entries.</summary>
    public BcryptQueueFullException(int limit)
        : base($"bcrypt verification queue is full ({limit} waiting); login refused without checking")
    {
        Limit = limit;
    }

    /// <summary>The queue length that was reached.</summary>
    public int Limit { get; }
}
