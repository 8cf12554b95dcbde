using System.Text;

namespace Nats.Core.Connections;

public sealed partial class ClientConnection
{
    private void TrackResponsePermission(Config.ResponsePermissionConfig responses, ReadOnlySpan<byte> reply)
    {
        var key = Encoding.UTF8.GetString(reply);
        lock (_replies)
        {
            _replies[key] = (responses.MaxMessages, DateTime.UtcNow + responses.Expires);
            if (_replies.Count > 1024)
            {
                PruneExpiredReplies();
            }
        }
    }

    private bool IsResponseAllowed(ReadOnlySpan<byte> subject)
    {
        if (_authorization.Permissions?.Responses is null)
        {
            return false;
        }
        var key = Encoding.UTF8.GetString(subject);
        lock (_replies)
        {
            if (!_replies.TryGetValue(key, out var entry))
            {
                return false;
            }
            if (entry.Expires < DateTime.UtcNow)
            {
                _replies.Remove(key);
                return false;
            }
            if (entry.Remaining > 0)
            {
                if (entry.Remaining == 1)
                {
                    _replies.Remove(key);
                }
                else
                {
                    _replies[key] = (entry.Remaining - 1, entry.Expires);
                }
            }
            return true;
        }
    }

    private void PruneExpiredReplies()
    {
        var now = DateTime.UtcNow;
        foreach (var (key, entry) in _replies)
        {
            if (entry.Expires < now)
            {
                _replies.Remove(key);
            }
        }
    }
}
