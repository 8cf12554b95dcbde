using System.Text;
using Microsoft.Extensions.Logging;
using Nats.AuthJwt.Logging;
using Nats.AuthJwt.Resolvers;
using Nats.Core;
using Nats.Core.Plugins;

namespace Nats.AuthJwt.SystemAccount;

/// <summary>
/// The directory resolver's conversation with the other servers of the cluster, as nats-server's
/// <c>DirAccResolver</c> holds it over the system account: a JWT missing here is asked for with
/// <c>$SYS.REQ.ACCOUNT.&lt;id&gt;.CLAIMS.LOOKUP</c> (<c>Server.fetch</c>: the first JWT wins; empty
/// answers only count once every server answered), and every <c>interval</c> the store's hash goes
/// out on <c>$SYS.REQ.CLAIMS.PACK</c>; servers whose hash differs answer with their JWTs, which are
/// merged when newer.
/// </summary>
/// <remarks>
/// Lookups run on the resolution's task; pack answers arrive on the connection's delivery thread;
/// the timer on the thread pool. Owns its in-process connection: disposing stops the timer and
/// closes the connection.
/// </remarks>
public sealed class ClusterJwtSync : IAsyncDisposable
{
    private readonly IInProcessConnection _connection;
    private readonly DirectoryJwtStore _store;
    private readonly NatsServer _server;
    private readonly ILogger _logger;
    private readonly TimeSpan _fetchTimeout;
    private readonly string _packInbox = "_INBOX." + Guid.NewGuid().ToString("N");
    private readonly IDisposable _packSubscription;
    private readonly Timer? _timer;

    /// <summary>Keeps <paramref name="store"/> in step with the cluster's other full resolvers over <paramref name="connection"/>: a pack request every <paramref name="syncInterval"/>, lookups bounded by <paramref name="fetchTimeout"/>.</summary>
    public ClusterJwtSync(IInProcessConnection connection, DirectoryJwtStore store, NatsServer server, ILogger logger, TimeSpan syncInterval, TimeSpan fetchTimeout)
    {
        _connection = connection;
        _store = store;
        _server = server;
        _logger = logger;
        _fetchTimeout = fetchTimeout;
        _packSubscription = connection.Subscribe(_packInbox, null, Merge);
        if (syncInterval > TimeSpan.Zero)
        {
            _timer = new Timer(_ => RequestPack(), null, syncInterval, syncInterval);
        }
    }

    /// <summary>Asks the cluster for <paramref name="account"/>'s JWT; stores and returns it when one is found.</summary>
    /// <exception cref="AccountResolverException">nats-server's <c>account jwt not found</c> or <c>fetching jwt timed out</c>.</exception>
    public async Task<string> LookupAsync(string account, CancellationToken cancellationToken)
    {
        var inbox = "_INBOX." + Guid.NewGuid().ToString("N");
        var expected = (_server.Routes?.Routes.Count ?? 0) + 1;
        var answer = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var answered = 0;
        using var subscription = _connection.Subscribe(inbox, null, message =>
        {
            var count = Interlocked.Increment(ref answered);
            if (message.Payload.Length > 0)
            {
                answer.TrySetResult(Encoding.UTF8.GetString(message.Payload.Span));
            }
            else if (count >= expected)
            {
                answer.TrySetResult(null);
            }
            return ValueTask.CompletedTask;
        });
        _connection.Publish($"$SYS.REQ.ACCOUNT.{account}.CLAIMS.LOOKUP", [], inbox);
        string? jwt;
        try
        {
            jwt = await answer.Task.WaitAsync(_fetchTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            throw new AccountResolverException("fetching jwt timed out");
        }
        if (jwt is null)
        {
            throw new AccountResolverException("account jwt not found");
        }
        _store.SaveIfNewer(account, jwt);
        return jwt;
    }

    /// <summary>Sends our hash out; servers that hold something else answer with their JWTs.</summary>
    public void RequestPack()
    {
        try
        {
            _connection.Publish("$SYS.REQ.CLAIMS.PACK", _store.Hash(), _packInbox);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            AuthJwtLog.PackRequestFailed(_logger, e.Message);
        }
    }

    private ValueTask Merge(InProcessMessage message)
    {
        if (message.Payload.Length == 0)
        {
            return ValueTask.CompletedTask; // the end of one server's answer
        }
        try
        {
            _store.Merge(Encoding.UTF8.GetString(message.Payload.Span));
        }
        catch (Exception e) when (e is AccountResolverException or IOException or UnauthorizedAccessException)
        {
            AuthJwtLog.MergeFailed(_logger, e.Message);
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_timer is not null)
        {
            await _timer.DisposeAsync().ConfigureAwait(false);
        }
        _packSubscription.Dispose();
        await _connection.DisposeAsync().ConfigureAwait(false);
    }
}
