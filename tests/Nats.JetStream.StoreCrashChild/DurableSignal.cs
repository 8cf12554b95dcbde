using Nats.JetStream.Storage;

namespace Nats.JetStream.StoreCrashChild;

/// <summary>Lets writers wait until their sequence is durable (one wake-up per group commit).</summary>
internal sealed class DurableSignal : IStoreListener
{
    private ulong _durable;
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Action<ulong>? OnDurable { get; set; }

    public void MessagesDurable(ulong lastSeq)
    {
        OnDurable?.Invoke(lastSeq);
        Volatile.Write(ref _durable, lastSeq);
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).SetResult();
    }

    public void WriteFailed(ulong lastDurableSeq, Exception error)
    {
        Console.Error.WriteLine($"write failed after {lastDurableSeq}: {error.Message}");
        Environment.Exit(2);
    }

    public async Task WaitAsync(ulong seq)
    {
        while (true)
        {
            var next = Volatile.Read(ref _next).Task;
            if (Volatile.Read(ref _durable) >= seq)
            {
                return;
            }
            await next;
        }
    }
}
