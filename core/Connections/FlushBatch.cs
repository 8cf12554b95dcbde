using System.Diagnostics;

namespace Nats.Core.Connections;

/// <summary>Something with buffered output that can be told to send it.</summary>
public interface IFlushable
{
    /// <summary>Starts sending what is buffered (never blocks).</summary>
    void Flush();
}

/// <summary>
/// Coalesces flushes: while a producer processes one read batch, every sink it wrote to
/// enlists here once, and all of them are flushed together when the batch ends. A fan-out
/// of many small messages so becomes a few large writes instead of one syscall per message.
/// </summary>
/// <remarks>
/// A batch is bound to the thread that runs the (synchronous) processing of one read. Code
/// that produces messages outside any batch is flushed immediately by <see cref="Enlist"/>.
/// </remarks>
public sealed class FlushBatch
{
    [ThreadStatic] private static FlushBatch? t_active;

    // Both created on first use: every connection has a batch, most idle ones never fill it.
    private IFlushable[]? _items;
    private int _count;
    private List<OutboundBuffer>? _pressured;
    private List<OutboundBuffer>? _fed;
    private FlushBatch? _previous;

    // How long the end of one batch may spend writing to peers itself (nats-server's read loop
    // budget for flushing in place); past it the rest is left to their writer tasks.
    private static readonly long InPlaceBudget = Stopwatch.Frequency / 1000;

    /// <summary>
    /// Whether <see cref="End"/> writes small output to idle peers from this thread (a client's
    /// read loop, as nats-server's) instead of waking their writer tasks; routes leave it off.
    /// A plugin's dedicated thread that answers one peer at a time (JetStream's store sync
    /// thread sending pub acks) turns it on to save each peer's writer a wake-up.
    /// </summary>
    public bool FlushesInPlace { get; set; }

    /// <summary>True while a batch is active on this thread.</summary>
    public static bool IsActive => t_active is not null;

    /// <summary>
    /// Asks for <paramref name="target"/> to be flushed: at the end of the current batch, or
    /// right now when there is none. Callers enlist once per transition to "has pending output".
    /// </summary>
    public static void Enlist(IFlushable target)
    {
        var batch = t_active;
        if (batch is null)
        {
            target.Flush();
            return;
        }
        var items = batch._items ??= new IFlushable[8];
        if (batch._count == items.Length)
        {
            Array.Resize(ref batch._items, items.Length * 2);
            items = batch._items;
        }
        items[batch._count++] = target;
    }

    /// <summary>
    /// Records that the current producer pushed <paramref name="buffer"/> past its pressure
    /// threshold; the producer's read loop waits for it after the batch (see
    /// <see cref="TakePressured"/>). Outside a batch (internal producers) nothing waits.
    /// </summary>
    internal static void ReportPressure(OutboundBuffer buffer)
    {
        if (t_active is { } batch)
        {
            (batch._pressured ??= []).Add(buffer);
        }
        else
        {
            buffer.ClearPressure();
        }
    }

    /// <summary>True when the last batch pushed some peer past its pressure threshold.</summary>
    internal bool HasPressure => _pressured is { Count: > 0 };

    /// <summary>The buffers the last batch put under pressure (the list is reused; copy to keep).</summary>
    internal List<OutboundBuffer> TakePressured() => _pressured ??= [];

    /// <summary>
    /// The buffers the last batch flushed, kept only when it put some under pressure: the peers
    /// the producer's wait would hold back (cleared with <see cref="TakePressured"/>'s list).
    /// </summary>
    internal List<OutboundBuffer> Fed => _fed ??= [];

    /// <summary>Makes this batch the active one on the current thread.</summary>
    public void Begin()
    {
        _previous = t_active;
        t_active = this;
    }

    /// <summary>Flushes everything enlisted since <see cref="Begin"/> and restores the previous batch.</summary>
    public void End()
    {
        t_active = _previous;
        _previous = null;
        var n = _count;
        _count = 0;
        var items = _items;
        var keepFed = HasPressure;
        long deadline = 0;
        for (var i = 0; i < n; i++)
        {
            // n > 0 only once Enlist created the array.
            var item = items![i];
            items[i] = null!;
            if (keepFed && item is OutboundBuffer fed)
            {
                Fed.Add(fed);
            }
            if (FlushesInPlace && item is OutboundBuffer buffer)
            {
                var now = Stopwatch.GetTimestamp();
                if (deadline == 0)
                {
                    deadline = now + InPlaceBudget;
                }
                if (now < deadline)
                {
                    buffer.FlushInPlace();
                    continue;
                }
            }
            item.Flush();
        }
    }
}
