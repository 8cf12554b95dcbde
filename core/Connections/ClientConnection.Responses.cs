using System.Text;

namespace Nats.Core.Connections;

public sealed partial class ClientConnection
{
    // allow_responses: reply subjects of requests this client received, with how many
    // responses remain and until when. Only users with that permission pay for this.
    private readonly Dictionary<string, (int Remaining, DateTime Expires)> _replies = new(StringComparer.Ordinal);

    private void TrackResponsePermission(ReadOnlySpan<byte> reply)
    {
        var responses = _permissions!.Responses!;
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
        if (_permissions?.Responses is null)
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
