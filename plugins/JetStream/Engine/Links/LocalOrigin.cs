using Nats.JetStream.Api;
using Nats.JetStream.Storage;

namespace Nats.JetStream.Engine;

/// <summary>An origin stream of the same account on this server, read straight from its store and followed through <see cref="JsStream.MessagesAvailable"/>.</summary>
internal sealed class LocalOrigin(JsStream stream) : IOrigin
{
    private Action<ulong>? _listener; // set once by Start, under the link's lock

    public JsStream Stream => stream;

    public ulong LastSeq => stream.Store.State().LastSeq;

    public ulong FirstSeq
    {
        get
        {
            var state = stream.Store.State();
            return state.Msgs > 0 ? state.FirstSeq : 0;
        }
    }

    public ulong LoadNext(SubjectFilter filter, ulong next, StoredMessage into) => stream.Store.LoadNext(filter, next, into);

    public ulong StartOf(StreamSource source) =>
        source.OptStartSeq > 0 ? source.OptStartSeq
        : source.OptStartTime is { } time ? Math.Max(1, stream.Store.SeqFromTime((time.ToUniversalTime().Ticks - DateTime.UnixEpoch.Ticks) * 100))
        : 1;

    public void Start(Action available)
    {
        _listener = _ => available();
        stream.MessagesAvailable += _listener;
    }

    public void Dispose()
    {
        if (_listener is not null)
        {
            stream.MessagesAvailable -= _listener;
        }
    }
}
