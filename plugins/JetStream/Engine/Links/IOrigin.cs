using Nats.JetStream.Storage;

namespace Nats.JetStream.Engine;

/// <summary>
/// Where a mirror or a source reads its origin stream: a stream of the same account on this
/// server (<see cref="LocalOrigin"/>) or one reached over subjects through another account's
/// exported API (<see cref="RemoteOrigin"/>). Called under the link's lock.
/// </summary>
internal interface IOrigin : IDisposable
{
    /// <summary>The origin's last sequence as last known (for the link's lag).</summary>
    ulong LastSeq { get; }

    /// <summary>The origin's first stored sequence, 0 when empty or not known here.</summary>
    ulong FirstSeq { get; }

    /// <summary>The first message at or after <paramref name="next"/> passing <paramref name="filter"/> into <paramref name="into"/>; its sequence, or 0 when none is available yet.</summary>
    ulong LoadNext(SubjectFilter filter, ulong next, StoredMessage into);

    /// <summary>Where a link without a position starts: <c>opt_start_seq</c>, <c>opt_start_time</c>, else 1.</summary>
    ulong StartOf(Api.StreamSource source);

    /// <summary>Starts following: <paramref name="available"/> is called (on any thread, possibly under the origin's locks: it must only queue) whenever more may be read.</summary>
    void Start(Action available);
}
