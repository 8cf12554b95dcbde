using Nats.Core.Config;
using Nats.Core.Security;
using Nats.TestSupport;

namespace Nats.Core.Tests.Protocol;

/// <summary>The INFO a client receives on connect, field by field, as nats-server sends it.</summary>
[TestFixture]
[CancelAfter(20_000)]
public sealed class InfoTests
{
    [Test]
    public async Task InfoCarriesTheServerAndConnectionFields()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectRawAsync();
        var info = client.Info;

        var serverId = info.GetProperty("server_id").GetString()!;
        Assert.Multiple(() =>
        {
            Assert.That(NKeys.IsValidPublicServerKey(serverId), Is.True, "server_id is a server nkey");
            Assert.That(serverId, Is.EqualTo(server.Server.ServerId));
            Assert.That(info.GetProperty("server_name").GetString(), Is.EqualTo(serverId), "the name defaults to the id");
            Assert.That(info.GetProperty("version").GetString(), Is.EqualTo(ServerVersion.CompatibleNatsVersion));
            Assert.That(info.GetProperty("proto").GetInt32(), Is.EqualTo(1));
            Assert.That(info.GetProperty("headers").GetBoolean(), Is.True);
            Assert.That(info.GetProperty("max_payload").GetInt32(), Is.EqualTo(1024 * 1024));
            Assert.That(info.GetProperty("port").GetInt32(), Is.EqualTo(server.Port));
            Assert.That(info.GetProperty("client_id").GetUInt64(), Is.GreaterThan(0));
            Assert.That(info.GetProperty("client_ip").GetString(), Is.EqualTo("127.0.0.1"));
            Assert.That(info.TryGetProperty("auth_required", out _), Is.False, "omitted without auth");
            Assert.That(info.TryGetProperty("nonce", out _), Is.False, "no nonce without nkeys");
            Assert.That(info.TryGetProperty("ldm", out _), Is.False);
        });
    }

    [Test]
    public async Task SetJetStreamInfoAddsJetStreamAndDomainForClientsConnectingAfterwards()
    {
        await using var server = await TestServer.StartAsync();
        await using (var before = await server.ConnectRawAsync())
        {
            Assert.That(before.Info.TryGetProperty("jetstream", out _), Is.False, "omitted while JetStream is off");
        }
        server.Server.SetJetStreamInfo(true, "hub");
        await using (var after = await server.ConnectRawAsync())
        {
            Assert.That((after.Info.GetProperty("jetstream").GetBoolean(), after.Info.GetProperty("domain").GetString()), Is.EqualTo((true, "hub")));
        }
        server.Server.SetJetStreamInfo(false, "hub");
        await using (var off = await server.ConnectRawAsync())
        {
            Assert.That((off.Info.TryGetProperty("jetstream", out _), off.Info.TryGetProperty("domain", out _)), Is.EqualTo((false, false)));
        }
    }

    [Test]
    public async Task InfoLineEndsWithSpaceCrlfLikeNatsServer()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await RawClient.ConnectAsync(server.Port, readInfo: false);
        var line = await client.ReadLineAsync();
        Assert.That(line, Does.StartWith("INFO {\"server_id\":").And.EndWith("} "));
    }

    [Test]
    public async Task EachConnectionGetsItsOwnClientId()
    {
        await using var server = await TestServer.StartAsync();
        await using var a = await server.ConnectRawAsync();
        await using var b = await server.ConnectRawAsync();
        Assert.That(b.Info.GetProperty("client_id").GetUInt64(), Is.Not.EqualTo(a.Info.GetProperty("client_id").GetUInt64()));
    }

    [Test]
    public async Task InfoReflectsConfiguredLimitsAndHeaderSupport()
    {
        await using var server = await TestServer.StartAsync(o =>
        {
            o.MaxPayload = 4096;
            o.NoHeaderSupport = true;
            o.ServerName = "alpha";
        });
        await using var client = await server.ConnectRawAsync();
        var info = client.Info;
        Assert.Multiple(() =>
        {
            Assert.That(info.GetProperty("max_payload").GetInt32(), Is.EqualTo(4096));
            Assert.That(info.GetProperty("headers").GetBoolean(), Is.False);
            Assert.That(info.GetProperty("server_name").GetString(), Is.EqualTo("alpha"));
        });
    }

    [Test]
    public async Task AuthRequiredIsAnnouncedWhenAuthIsConfigured()
    {
        await using var server = await TestServer.StartAsync(o => o.Auth = new AuthOptions { Token = "secret" });
        await using var client = await server.ConnectRawAsync();
        Assert.Multiple(() =>
        {
            Assert.That(client.Info.GetProperty("auth_required").GetBoolean(), Is.True);
            Assert.That(client.Info.TryGetProperty("nonce", out _), Is.False, "token auth needs no nonce");
        });
    }

    [Test]
    public async Task NonceIsSentOnlyWhenNKeysAreConfigured()
    {
        using var user = NKeyPair.Create(NKeyPrefix.User);
        await using var server = await TestServer.StartAsync(o => o.Auth = new AuthOptions
        {
            NKeys = [new NKeyUserConfig { PublicKey = user.PublicKey }],
        });
        await using var a = await server.ConnectRawAsync();
        await using var b = await server.ConnectRawAsync();
        var nonceA = a.Info.GetProperty("nonce").GetString();
        var nonceB = b.Info.GetProperty("nonce").GetString();
        Assert.Multiple(() =>
        {
            Assert.That(a.Info.GetProperty("auth_required").GetBoolean(), Is.True);
            Assert.That(nonceA, Is.Not.Null.And.Not.Empty);
            Assert.That(nonceB, Is.Not.EqualTo(nonceA), "a fresh nonce per connection");
        });
    }
}
