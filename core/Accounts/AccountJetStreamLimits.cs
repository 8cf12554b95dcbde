namespace Nats.Core.Accounts;

/// <summary>
/// JetStream limits an account's definition states (an account JWT's <c>limits.mem_storage</c>,
/// <c>disk_storage</c>, <c>streams</c>, <c>consumer</c>: nats-server's <c>JetStreamAccountLimits</c>).
/// A definition with them has JetStream enabled (when the server runs JetStream); one without
/// does not. The plugin that makes the definition (operator mode) sets it on
/// <see cref="Config.AccountConfig.JetStream"/>; the JetStream plugin reads it when the account is
/// added or updated. -1 means no limit; as in nats-server, 0 streams or consumers means no limit too.
/// </summary>
/// <param name="MaxMemory">Bytes of memory storage.</param>
/// <param name="MaxStore">Bytes of file storage.</param>
/// <param name="MaxStreams">Streams.</param>
/// <param name="MaxConsumers">Consumers.</param>
public sealed record AccountJetStreamLimits(long MaxMemory, long MaxStore, long MaxStreams, long MaxConsumers);
