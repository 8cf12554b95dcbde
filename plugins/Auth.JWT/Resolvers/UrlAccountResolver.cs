using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using Nats.AuthJwt.Jwt;
using Nats.Core.Security;

namespace Nats.AuthJwt.Resolvers;

/// <summary>
/// <c>resolver: URL("…")</c> (nats-server's <c>URLAccResolver</c>): GET <c>&lt;url&gt;&lt;account&gt;</c>,
/// 200 with the JWT as body. Asynchronous with a timeout, so a slow or dead server delays only the
/// connections waiting for that account, never an I/O thread; concurrent fetches of one account
/// share one request; the last JWT fetched per account is kept (<see cref="TryGetCached"/>).
/// Bodies over jwt's maximum token size are refused.
/// </summary>
public sealed class UrlAccountResolver : IAccountJwtSource, IDisposable
{
    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _inFlight = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _cache = new(StringComparer.Ordinal);

    /// <param name="baseUrl">Ends with '/' (the options parser ensures it).</param>
    /// <param name="timeout">Per fetch; nats-server uses 1.9 s.</param>
    /// <param name="tls">Client TLS for https (<c>resolver_tls</c>); null for the system defaults.</param>
    public UrlAccountResolver(string baseUrl, TimeSpan timeout, SslClientAuthenticationOptions? tls = null)
    {
        BaseUrl = baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/";
        var handler = new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            MaxConnectionsPerServer = 10,
            ConnectTimeout = timeout,
        };
        if (tls is not null)
        {
            handler.SslOptions = tls;
        }
        _http = new HttpClient(handler) { Timeout = timeout };
    }

    /// <summary>The URL an account key is appended to.</summary>
    public string BaseUrl { get; }

    /// <inheritdoc />
    public bool IsReadOnly => true;

    /// <summary>The JWT last fetched for the account, if any.</summary>
    public bool TryGetCached(string accountPublicKey, out string jwt) => _cache.TryGetValue(accountPublicKey, out jwt!);

    /// <inheritdoc />
    public async ValueTask<string> FetchAsync(string accountPublicKey, CancellationToken cancellationToken)
    {
        if (!NKeys.IsValidPublicAccountKey(accountPublicKey))
        {
            throw new AccountResolverException("will only fetch valid account keys");
        }
        var fetch = _inFlight.GetOrAdd(accountPublicKey, key => new Lazy<Task<string>>(() => FetchOnceAsync(key)));
        try
        {
            return await fetch.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _inFlight.TryRemove(new KeyValuePair<string, Lazy<Task<string>>>(accountPublicKey, fetch));
        }
    }

    /// <inheritdoc />
    public ValueTask StoreAsync(string accountPublicKey, string jwt, CancellationToken cancellationToken) =>
        ValueTask.FromException(new AccountResolverException("store operation not supported for URL Resolver"));

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private async Task<string> FetchOnceAsync(string account)
    {
        var url = BaseUrl + account;
        try
        {
            using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new AccountResolverException($"could not fetch <\"{Redact(url)}\">: {(int)response.StatusCode} {response.ReasonPhrase}");
            }
            var body = await ReadBoundedAsync(response.Content).ConfigureAwait(false);
            _cache[account] = body;
            return body;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            var reason = e is TaskCanceledException ? "timeout" : e.Message;
            throw new AccountResolverException($"could not fetch <\"{Redact(url)}\">: {reason}", e);
        }
    }

    private static async Task<string> ReadBoundedAsync(HttpContent content)
    {
        await using var stream = await content.ReadAsStreamAsync().ConfigureAwait(false);
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int n;
        while ((n = await stream.ReadAsync(chunk).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + n > JwtCodec.MaxTokenSize)
            {
                throw new AccountResolverException($"account JWT larger than {JwtCodec.MaxTokenSize} bytes");
            }
            buffer.Write(chunk, 0, n);
        }
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    // nats-server's redactURLString: a password in the URL is shown as "xxxxx".
    private static string Redact(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.UserInfo.Contains(':')
            ? url.Replace(uri.UserInfo, uri.UserInfo.Split(':')[0] + ":xxxxx", StringComparison.Ordinal)
            : url;
}
