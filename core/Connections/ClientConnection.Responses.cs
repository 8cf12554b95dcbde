using System.Text;

namespace Nats.Core.Connections;

public sealed partial class ClientConnection
{
    private void TrackResponsePermission(Config.ResponsePermissionConfig responses, ReadOnlySpan<byte> reply)
    {
        var key = Encoding.UTF8.GetString(reply);
        var replies = LazyInitializer.EnsureInitialized(ref _replies, static () => new(StringComparer.Ordinal));
        lock (replies)
        {
            replies[key] = (responses.MaxMessages, DateTime.UtcNow + responses.Expires);
            if (replies.Count > 1024)
            {
                PruneExpiredReplies(replies);
            }
        }
    }

    private bool IsResponseAllowed(ReadOnlySpan<byte> subject)
    {
        if (_authorization.Permissions?.Responses is null || Volatile.Read(ref _replies) is not { } replies)
        {
            return false;
        }
        var key = Encoding.UTF8.GetString(subject);
        lock (replies)
        {
            if (!replies.TryGetValue(key, out var entry))
            {
                return false;
            }
            if (entry.Expires < DateTime.UtcNow)
            {
                replies.Remove(key);
                return false;
            }
            if (entry.Remaining > 0)
            {
                if (entry.Remaining == 1)
                {
                    replies.Remove(key);
                }
                else
                {
                    replies[key] = (entry.Remaining - 1, entry.Expires);
                }
            }
            return true;
        }
    }

    private static void PruneExpiredReplies(Dictionary<string, (int Remaining, DateTime Expires)> replies)
    {
        var now = DateTime.UtcNow;
        foreach (var (key, entry) in replies)
        {
            if (entry.Expires < now)
            {
                replies.Remove(key);
            }
        }
    }
}
