using Microsoft.Extensions.Logging;
using System.Text;
using Nats.Leafnode.Tests.Links;
using Nats.TestSupport;

namespace Nats.Leafnode.Tests.Interop;

/// <summary>A remote with a creds file: the JWT goes in CONNECT, the seed signs the hub's nonce.</summary>
[TestFixture]
[CancelAfter(60_000)]
[NonParallelizable]
public sealed class CredentialsTests
{
    private static async Task<RawClient> JwtClientAsync(int port, string jwt, Nats.Core.Security.NKeyPair pair)
    {
        var client = await RawClient.ConnectAsync(port);
        var nonce = client.Info.GetProperty("nonce").GetString()!;
        var sig = Convert.ToBase64String(pair.Sign(Encoding.ASCII.GetBytes(nonce))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        await client.SendAsync($$"""CONNECT {"verbose":false,"pedantic":false,"protocol":1,"jwt":"{{jwt}}","sig":"{{sig}}"}""" + "\r\n");
        await client.PingAsync();
        return client;
    }

    [Test]
    public async Task Our_leaf_authenticates_to_an_operator_mode_nats_server_with_a_creds_file()
    {
        using var jwts = new Jwts();
        var (leafJwt, leafPair) = jwts.User("leaf");
        var (clientJwt, clientPair) = jwts.User("client");
        var dir = Directory.CreateTempSubdirectory("leafcreds").FullName;
        try
        {
            var creds = Path.Combine(dir, "leaf.creds");
            await File.WriteAllTextAsync(creds, Jwts.CredsFile(leafJwt, leafPair.Seed));
            await using var hub = await ReferenceServer.StartWithPortsAsync(jwts.ServerConfig + """

                leafnodes { listen: "127.0.0.1:{LEAF_PORT}" }
                """);
            await using var leaf = await OurServer.StartAsync($$"""leafnodes { remotes: [ { url: "nats-leaf://127.0.0.1:{{hub.LeafPort}}", credentials: "{{creds}}" } ] }""");
            await Leaf.UntilAsync(() => leaf.LeafCount == 1, "the creds leaf connects");
            Assert.That(leaf.Manager.Connections.Single().RemoteAccountOrUser, Is.EqualTo(jwts.AccountPublicKey), "bound to the JWT's account");

            await using var sub = await leaf.ClientAsync();
            await Leaf.SubAsync(sub, "creds.ok", "1");
            await Leaf.UntilAsync(() => hub.LeafHasSubAsync("creds.ok", jwts.AccountPublicKey), "interest in the account");
            await using var pub = await JwtClientAsync(hub.Port, clientJwt, clientPair);
            await Leaf.PubAsync(pub, "creds.ok", "signed");
            await sub.ExpectMsgAsync("creds.ok", "1", "signed");
        }
        finally
        {
            leafPair.Dispose();
            clientPair.Dispose();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public async Task A_creds_file_signed_by_an_unknown_account_is_refused()
    {
        using var jwts = new Jwts();
        using var stranger = new Jwts();
        var (jwt, pair) = stranger.User("intruder");
        var dir = Directory.CreateTempSubdirectory("leafcreds").FullName;
        try
        {
            var creds = Path.Combine(dir, "bad.creds");
            await File.WriteAllTextAsync(creds, Jwts.CredsFile(jwt, pair.Seed));
            await using var hub = await ReferenceServer.StartWithPortsAsync(jwts.ServerConfig + """

                leafnodes { listen: "127.0.0.1:{LEAF_PORT}" }
                """);
            var logs = new ListLoggerProvider(LogLevel.Information);
            await using var leaf = await OurServer.StartAsync($$"""leafnodes { reconnect: 1, remotes: [ { url: "nats-leaf://127.0.0.1:{{hub.LeafPort}}", credentials: "{{creds}}" } ] }""", logs);
            await Leaf.UntilAsync(() => logs.Contains("Authorization Violation"), "the hub refuses and our leaf logs it");
            Assert.That(leaf.LeafCount, Is.EqualTo(0));
            Assert.That(await hub.LeafCountAsync(), Is.EqualTo(0));
        }
        finally
        {
            pair.Dispose();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void A_malformed_creds_file_is_reported_as_nats_server_does()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "not a creds file");
            var error = Assert.Throws<InvalidOperationException>(() => Auth.LeafSolicitCredentials.ReadCredentials(path))!;
            Assert.That(error.Message, Is.EqualTo("Credentials file malformed"));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
