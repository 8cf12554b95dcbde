using Microsoft.Extensions.Logging;

namespace Nats.JetStream.Storage;

/// <summary>The message and consumer-state stores: recovery, lost data and failed writes. Event ids 840–859.</summary>
internal static partial class StoreLog
{
    [LoggerMessage(EventId = 840, Level = LogLevel.Error, Message = "JetStream store maintenance failed")]
    public static partial void MaintenanceFailed(ILogger logger, Exception error);

    /// <summary>A last block whose header never reached the disk (a crash while creating it): nothing in it was acknowledged.</summary>
    [LoggerMessage(EventId = 841, Level = LogLevel.Warning, Message = "JetStream store: removed unwritten block {Path} ({Bytes} bytes)")]
    public static partial void UnwrittenBlockRemoved(ILogger logger, string path, int bytes);

    [LoggerMessage(EventId = 842, Level = LogLevel.Warning, Message = "JetStream store: torn tail truncated: {Text}")]
    public static partial void TornTailTruncated(ILogger logger, string text);

    [LoggerMessage(EventId = 843, Level = LogLevel.Warning, Message = "JetStream store {Dir}: could not write a new block ({Error}); opened, publishes fail until there is room")]
    public static partial void NewBlockFailed(ILogger logger, string dir, string error);

    [LoggerMessage(EventId = 844, Level = LogLevel.Warning, Message = "JetStream store: index {Path} unreadable, rebuilding from blocks: {Error}")]
    public static partial void IndexUnreadable(ILogger logger, string path, string error);

    [LoggerMessage(EventId = 845, Level = LogLevel.Warning, Message = "JetStream store: could not write {Path}: {Error}")]
    public static partial void IndexWriteFailed(ILogger logger, string path, string error);

    [LoggerMessage(EventId = 846, Level = LogLevel.Error, Message = "JetStream store {Dir}: write failed, going back to the last durable state")]
    public static partial void WriteFailed(ILogger logger, Exception error, string dir);

    [LoggerMessage(EventId = 847, Level = LogLevel.Error, Message = "JetStream store {Dir}: recovery after a failed write failed")]
    public static partial void WriteRecoveryFailed(ILogger logger, Exception error, string dir);

    [LoggerMessage(EventId = 848, Level = LogLevel.Error, Message = "JetStream store: lost messages {First}..{Last} ({Bytes} bytes) in {Block}: {Reason}")]
    public static partial void LostMessages(ILogger logger, ulong first, ulong last, long bytes, string block, string reason);

    [LoggerMessage(EventId = 849, Level = LogLevel.Error, Message = "JetStream consumer state {Path} is damaged: the consumer restarts from its config")]
    public static partial void ConsumerStateDamaged(ILogger logger, string path);

    [LoggerMessage(EventId = 850, Level = LogLevel.Error, Message = "JetStream consumer state {Path}: write failed")]
    public static partial void ConsumerStateWriteFailed(ILogger logger, Exception error, string path);
}
