using Nats.Core.Config;
using Nats.Core.Security;
using Nats.TestSupport;
using static Nats.Core.Tests.Auth.AuthSupport;

namespace Nats.Core.Tests.Auth;

/// <summary>NKey users: the client signs the INFO nonce with its seed.</summary>
[TestFixture]
[CancelAfter(20_000)]
public sealed class NKeyAuthTests
{
    private NKeyPair _user = null!;
    private TestServer _server = null!;

    [SetUp]
    public async Task StartServer()
    {
        _user = NKeyPair.Create(NKeyPrefix.User);
        _server = await TestServer.StartAsync(o => o.Auth = new AuthOptions
        {
            NKeys = [new NKeyUserConfig { PublicKey = _user.PublicKey }],
        });
    }

    [TearDown]
    public async Task StopServer()
    {
        await _server.DisposeAsync();
        _user.Dispose();
    }

    [Test]
    public async Task SignedNonceIsAccepted()
    {
        await using var client = await _server.ConnectRawAsync();
        await client.SendAsync($"CONNECT {NKeyConnect(client, _user)}\r\nSUB foo 1\r\nPUB foo 2\r\nhi\r\nPING\r\n");
        await client.ExpectMsgAsync("foo", "1", "hi");
        await client.ExpectLineAsync("PONG");
    }

    [Test]
    public async Task StandardBase64SignatureIsAcceptedToo()
    {
        await using var client = await _server.ConnectRawAsync();
        var nonce = client.Info.GetProperty("nonce").GetString()!;
        var sig = Convert.ToBase64String(_user.Sign(System.Text.Encoding.ASCII.GetBytes(nonce)));
        await client.SendAsync($"CONNECT {Connect(new { nkey = _user.PublicKey, sig })}\r\nPING\r\n");
        await client.ExpectLineAsync("PONG");
    }

    [Test]
    public async Task SignatureOfAnotherConnectionsNonceIsRefused()
    {
        await using var first = await _server.ConnectRawAsync();
        var replayed = NKeyConnect(first, _user);
        await using var second = await _server.ConnectRawAsync();
        await second.SendAsync($"CONNECT {replayed}\r\nPING\r\n");
        await second.ExpectErrAndCloseAsync("Authorization Violation");
    }

    [Test]
    public async Task SignatureByAnotherKeyIsRefused()
    {
        using var impostor = NKeyPair.Create(NKeyPrefix.User);
        await using var client = await _server.ConnectRawAsync();
        var nonce = client.Info.GetProperty("nonce").GetString()!;
        var sig = Convert.ToBase64String(impostor.Sign(System.Text.Encoding.ASCII.GetBytes(nonce))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        await client.SendAsync($"CONNECT {Connect(new { nkey = _user.PublicKey, sig })}\r\nPING\r\n");
        await client.ExpectErrAndCloseAsync("Authorization Violation");
    }

    [Test]
    public async Task MissingOrGarbageSignatureIsRefused()
    {
        await ExpectRefusedAsync(_server, Connect(new { nkey = _user.PublicKey }));
        await ExpectRefusedAsync(_server, Connect(new { nkey = _user.PublicKey, sig = "not base64 !!" }));
    }

    [Test]
    public async Task UnknownNKeyIsRefused()
    {
        using var stranger = NKeyPair.Create(NKeyPrefix.User);
        await using var client = await _server.ConnectRawAsync();
        await client.SendAsync($"CONNECT {NKeyConnect(client, stranger)}\r\nPING\r\n");
        await client.ExpectErrAndCloseAsync("Authorization Violation");
    }

    [Test]
    public async Task NoCredentialsAtAllIsRefused()
    {
        await ExpectRefusedAsync(_server, Connect(new { }));
    }
}
