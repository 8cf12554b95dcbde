using System.Net;
using System.Net.Sockets;
using System.Text;
using Nats.AuthJwt.Config;
using Nats.AuthJwt.Jwt;
using Nats.AuthJwt.Jwt.Claims;
using Nats.AuthJwt.Resolvers;
using Nats.Core.Security;
using Nats.TestSupport;

namespace Nats.AuthJwt.Tests.Resolvers;

/// <summary>Memory, URL and directory resolvers' storage, and the claims pack format.</summary>
[CancelAfter(20_000)]
public sealed class ResolverTests
{
    private DirectoryInfo _dir = null!;
    private JwtFixture _f = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("authjwt-store-");
        _f = new JwtFixture();
    }

    [TearDown]
    public void TearDown()
    {
        _f.Dispose();
        _dir.Delete(recursive: true);
    }

    [Test]
    public async Task MemoryResolverServesPreloadAndStores()
    {
        var resolver = new MemoryAccountResolver([new(OfficialVectors.PreloadAccount1Key, OfficialVectors.PreloadAccount1Jwt)]);

        Assert.That(await resolver.FetchAsync(OfficialVectors.PreloadAccount1Key, default), Is.EqualTo(OfficialVectors.PreloadAccount1Jwt));
        Assert.That(async () => await resolver.FetchAsync(OfficialVectors.PreloadAccount2Key, default),
            Throws.TypeOf<AccountResolverException>().With.Message.EqualTo("account missing"));
        await resolver.StoreAsync(OfficialVectors.PreloadAccount2Key, OfficialVectors.PreloadAccount2Jwt, default);
        Assert.That(await resolver.FetchAsync(OfficialVectors.PreloadAccount2Key, default), Is.EqualTo(OfficialVectors.PreloadAccount2Jwt));
    }

    [Test]
    public async Task UrlResolverFetchesAccountsFromAnHttpServer()
    {
        var accountJwt = _f.AccountJwt();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var requests = new List<string>();
        var serving = Task.Run(async () =>
        {
            for (var i = 0; i < 2; i++)
            {
                using var client = await listener.AcceptTcpClientAsync();
                using var stream = client.GetStream();
                var buffer = new byte[4096];
                var n = await stream.ReadAsync(buffer);
                var line = Encoding.ASCII.GetString(buffer, 0, n).Split("\r\n")[0];
                requests.Add(line);
                var found = line.Contains(_f.Account.PublicKey);
                var body = found ? accountJwt : "";
                var status = found ? "200 OK" : "404 Not Found";
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}"));
            }
        });
        using var resolver = new UrlAccountResolver($"http://127.0.0.1:{port}/jwt/v1/accounts", TimeSpan.FromSeconds(5));

        var fetched = await resolver.FetchAsync(_f.Account.PublicKey, default);
        var missing = NKeyPair.Create(NKeyPrefix.Account).PublicKey;
        var error = Assert.ThrowsAsync<AccountResolverException>(async () => await resolver.FetchAsync(missing, default));
        await serving;

        Assert.That(fetched, Is.EqualTo(accountJwt));
        Assert.That(resolver.TryGetCached(_f.Account.PublicKey, out var cached) && cached == accountJwt, Is.True);
        Assert.That(requests[0], Is.EqualTo($"GET /jwt/v1/accounts/{_f.Account.PublicKey} HTTP/1.1"));
        Assert.That(error!.Message, Is.EqualTo($"could not fetch <\"http://127.0.0.1:{port}/jwt/v1/accounts/{missing}\">: 404 Not Found"));
        Assert.That(async () => await resolver.FetchAsync("not-a-key", default), Throws.TypeOf<AccountResolverException>().With.Message.EqualTo("will only fetch valid account keys"));
    }

    [Test]
    public void UrlResolverTimesOutWithoutBlocking()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(); // accepts into the backlog, never answers
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var resolver = new UrlAccountResolver($"http://127.0.0.1:{port}/", TimeSpan.FromMilliseconds(300));

        var error = Assert.ThrowsAsync<AccountResolverException>(async () => await resolver.FetchAsync(_f.Account.PublicKey, default));

        Assert.That(error!.Message, Does.EndWith(": timeout"));
    }

    [Test]
    public void DirectoryStoreLaysOutFilesAndHashesLikeNatsServer()
    {
        var store = new DirectoryJwtStore(_dir.FullName, DeleteMode.RenameDeleted, limit: 0, evictOnLimit: false, ttl: TimeSpan.Zero);
        var first = _f.AccountJwt();
        var changed = new List<string>();
        store.Changed += changed.Add;

        Assert.That(store.Save(_f.Account.PublicKey, first), Is.True);
        Assert.That(store.Save(_f.Account.PublicKey, first), Is.False, "the same JWT is no change");
        Assert.That(File.ReadAllText(Path.Combine(_dir.FullName, _f.Account.PublicKey + ".jwt")), Is.EqualTo(first));
        Assert.That(store.Hash(), Is.EqualTo(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(first))));
        Assert.That(changed, Is.EqualTo(new[] { _f.Account.PublicKey }));

        var reopened = new DirectoryJwtStore(_dir.FullName, DeleteMode.RenameDeleted, 0, false, TimeSpan.Zero);
        Assert.That(reopened.Hash(), Is.EqualTo(store.Hash()), "a reopened store indexes the files and has the same hash");
        Assert.That(reopened.Load(_f.Account.PublicKey), Is.EqualTo(first));

        store.Remove(_f.Account.PublicKey);
        Assert.That(File.Exists(Path.Combine(_dir.FullName, _f.Account.PublicKey + ".jwt.deleted")), Is.True);
        Assert.That(store.Load(_f.Account.PublicKey), Is.Null);
        Assert.That(store.Hash(), Is.EqualTo(new byte[32]));
    }

    [Test]
    public void SaveIfNewerKeepsTheLaterJwt()
    {
        var store = new DirectoryJwtStore(_dir.FullName, DeleteMode.NoDelete, 0, false, TimeSpan.Zero);
        var older = JwtCodec.Encode(_f.NewAccount(a => a.Name = "old"), _f.Operator, DateTimeOffset.UtcNow.AddMinutes(-5));
        var newer = JwtCodec.Encode(_f.NewAccount(a => a.Name = "new"), _f.Operator, DateTimeOffset.UtcNow);

        store.SaveIfNewer(_f.Account.PublicKey, newer);
        Assert.That(store.SaveIfNewer(_f.Account.PublicKey, older), Is.False);
        Assert.That(JwtCodec.DecodeAccountClaims(store.Load(_f.Account.PublicKey)!).Name, Is.EqualTo("new"));
        Assert.That(() => store.Remove(_f.Account.PublicKey), Throws.TypeOf<AccountResolverException>().With.Message.EqualTo("store is not set up to for delete"));
    }

    [Test]
    public void FullStoreRefusesPastItsLimitAndCacheEvictsTheLeastRecentlyUsed()
    {
        using var a2 = NKeyPair.Create(NKeyPrefix.Account);
        using var a3 = NKeyPair.Create(NKeyPrefix.Account);
        string Jwt(NKeyPair key) => JwtCodec.Encode(AccountClaims.Create(key.PublicKey), _f.Operator);
        var full = new DirectoryJwtStore(Path.Combine(_dir.FullName, "full"), DeleteMode.NoDelete, 2, false, TimeSpan.Zero);
        var cache = new DirectoryJwtStore(Path.Combine(_dir.FullName, "cache"), DeleteMode.HardDelete, 2, true, TimeSpan.Zero);

        full.Save(_f.Account.PublicKey, Jwt(_f.Account));
        full.Save(a2.PublicKey, Jwt(a2));
        cache.Save(_f.Account.PublicKey, Jwt(_f.Account));
        cache.Save(a2.PublicKey, Jwt(a2));
        cache.Load(_f.Account.PublicKey);
        cache.Save(a3.PublicKey, Jwt(a3));

        Assert.That(() => full.Save(a3.PublicKey, Jwt(a3)), Throws.TypeOf<AccountResolverException>().With.Message.EqualTo("jwt store is full"));
        Assert.That(cache.Load(a2.PublicKey), Is.Null, "the least recently used entry was evicted");
        Assert.That(cache.Load(_f.Account.PublicKey), Is.Not.Null);
    }

    [Test]
    public void EntriesExpireWithTheirJwtOrTheCacheTtl()
    {
        var now = DateTimeOffset.UtcNow;
        var clock = now;
        var store = new DirectoryJwtStore(_dir.FullName, DeleteMode.HardDelete, 0, true, TimeSpan.FromMinutes(1), () => clock);
        store.Save(_f.Account.PublicKey, _f.AccountJwt());

        clock = now.AddSeconds(30);
        Assert.That(store.RemoveExpired(), Is.Empty);
        clock = now.AddSeconds(61);
        Assert.That(store.RemoveExpired(), Is.EqualTo(new[] { _f.Account.PublicKey }));
        Assert.That(store.Count, Is.Zero);
    }

    [Test]
    public async Task TheExpiryTimerRemovesAnExpiredJwtFromAFullStore()
    {
        var store = new DirectoryJwtStore(_dir.FullName, DeleteMode.NoDelete, 0, false, TimeSpan.Zero);
        var path = Path.Combine(_dir.FullName, _f.Account.PublicKey + ".jwt");
        store.Save(_f.Account.PublicKey, _f.AccountJwt(a => a.Expires = DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeSeconds()));
        using var a2 = NKeyPair.Create(NKeyPrefix.Account);
        store.Save(a2.PublicKey, JwtCodec.Encode(AccountClaims.Create(a2.PublicKey), _f.Operator));
        using var expiry = new StoreExpiry(store, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, TimeSpan.FromMilliseconds(50));

        await Eventually.TrueAsync(() => !File.Exists(path), "the expired JWT's file is removed", TimeSpan.FromSeconds(10));
        Assert.That(store.Count, Is.EqualTo(1), "the JWT without expiry stays");
        Assert.That(store.Load(a2.PublicKey), Is.Not.Null);
    }

    [TestCase(0, 60_000)]
    [TestCase(1_000, 500)]
    [TestCase(3_600_000, 60_000)]
    public void TheExpiryCheckIsHalfTheTtlAtMostAMinute(int ttlMs, int expectedMs) =>
        Assert.That(StoreExpiry.IntervalFor(TimeSpan.FromMilliseconds(ttlMs)), Is.EqualTo(TimeSpan.FromMilliseconds(expectedMs)));

    [Test]
    public void PackAndMergeBringTwoStoresToTheSameHash()
    {
        using var a2 = NKeyPair.Create(NKeyPrefix.Account);
        var source = new DirectoryJwtStore(Path.Combine(_dir.FullName, "a"), DeleteMode.NoDelete, 0, false, TimeSpan.Zero);
        var target = new DirectoryJwtStore(Path.Combine(_dir.FullName, "b"), DeleteMode.NoDelete, 0, false, TimeSpan.Zero);
        source.Save(_f.Account.PublicKey, _f.AccountJwt());
        source.Save(a2.PublicKey, JwtCodec.Encode(AccountClaims.Create(a2.PublicKey), _f.Operator));
        var parts = new List<string>();

        source.PackWalk(1, parts.Add);
        foreach (var part in parts)
        {
            target.Merge(part);
        }

        Assert.That(parts, Has.Count.EqualTo(2));
        Assert.That(parts.All(p => p.Split('|').Length == 2), Is.True);
        Assert.That(target.Hash(), Is.EqualTo(source.Hash()));
        Assert.That(source.Pack(), Is.EqualTo(string.Join('\n', parts)));
        Assert.That(() => target.Merge("ABC|x"), Throws.TypeOf<AccountResolverException>().With.Message.EqualTo("key to merge is not a valid public account key"));
        Assert.That(() => target.Merge("a|b|c"), Throws.TypeOf<AccountResolverException>().With.Message.EqualTo("line in package didn't contain 2 entries: \"a|b|c\""));
    }
}
