namespace Nats.Core.Connections;

public sealed partial class ClientConnection
{
    private void TrackResponsePermission(Config.ResponsePermissionConfig responses, ReadOnlySpan<byte> reply)
    {
        var replies = LazyInitializer.EnsureInitialized(ref _replies, static () => new());
        replies.Track(reply, responses.MaxMessages, responses.Expires);
    }

    private bool IsResponseAllowed(ReadOnlySpan<byte> subject) =>
        _authorization.Permissions?.Responses is not null &&
        Volatile.Read(ref _replies) is { } replies &&
        replies.TryConsume(subject);
}
