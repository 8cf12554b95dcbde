using Nats.Core.Config;
using Nats.Core.Security;
using Nats.TestSupport;
using static Nats.Core.Tests.Auth.AuthSupport;

namespace Nats.Core.Tests.Auth;

/// <summary>Token and user/password authentication, plain and bcrypt, over real connections.</summary>
[TestFixture]
[CancelAfter(20_000)]
public sealed class TokenAndPasswordTests
{
    [Test]
    public async Task RightTokenIsAccepted()
    {
        await using var server = await TestServer.StartAsync(o => o.Auth = new AuthOptions { Token = "s3cr3t" });
        await using var client = await server.ConnectAsync(Connect(new { auth_token = "s3cr3t" }));
        await client.SendAsync("SUB foo 1\r\nPUB foo 2\r\nhi\r\n");
        await client.ExpectMsgAsync("foo", "1", "hi");
    }

    [Test]
    public async Task WrongOrMissingTokenIsAnAuthorizationViolation()
    {
        await using var server = await TestServer.StartAsync(o => o.Auth = new AuthOptions { Token = "s3cr3t" });
        await ExpectRefusedAsync(server, Connect(new { auth_token = "nope" }));
        await ExpectRefusedAsync(server, Connect(new { }));
        await ExpectRefusedAsync(server, Connect(new { user = "s3cr3t" }));
        await server.AssertHealthyAsync(Connect(new { auth_token = "s3cr3t" }));
    }

    [Test]
    public async Task BcryptTokenIsCheckedWithBcrypt()
    {
        var hash = Bcrypt.Hash("s3cr3t", 4);
        await using var server = await TestServer.StartAsync(o => o.Auth = new AuthOptions { Token = hash });
        await using (await server.ConnectAsync(Connect(new { auth_token = "s3cr3t" })))
        {
        }
        await ExpectRefusedAsync(server, Connect(new { auth_token = hash }));
        await ExpectRefusedAsync(server, Connect(new { auth_token = "wrong" }));
    }

    [TestCase("PING\r\n")]
    [TestCase("SUB foo 1\r\n")]
    [TestCase("PUB foo 2\r\nhi\r\n")]
    public async Task OperationsBeforeConnectAreAnAuthorizationViolation(string operation)
    {
        await using var server = await TestServer.StartAsync(o => o.Auth = new AuthOptions { Token = "s3cr3t" });
        await using var client = await server.ConnectRawAsync();
        await client.SendAsync(operation);
        await client.ExpectErrAndCloseAsync("Authorization Violation");
        await server.AssertHealthyAsync(Connect(new { auth_token = "s3cr3t" }));
    }

    [Test]
    public async Task PlainPasswordUser()
    {
        await using var server = await TestServer.StartAsync(o => o.Auth = new AuthOptions
        {
            Users = [new UserConfig { Username = "alice", Password = "wonderland" }],
        });
        await using (await server.ConnectAsync(Connect(new { user = "alice", pass = "wonderland" })))
        {
        }
        await ExpectRefusedAsync(server, Connect(new { user = "alice", pass = "Wonderland" }));
        await ExpectRefusedAsync(server, Connect(new { user = "alice" }));
        await ExpectRefusedAsync(server, Connect(new { user = "bob", pass = "wonderland" }));
        await ExpectRefusedAsync(server, Connect(new { pass = "wonderland" }));
    }

    [Test]
    public async Task BcryptPasswordUser()
    {
        var hash = Bcrypt.Hash("wonderland", 4);
        await using var server = await TestServer.StartAsync(o => o.Auth = new AuthOptions
        {
            Users = [new UserConfig { Username = "alice", Password = hash }],
        });
        await using (await server.ConnectAsync(Connect(new { user = "alice", pass = "wonderland" })))
        {
        }
        // Twice: the second login may be answered from the success cache, and must still work.
        await using (await server.ConnectAsync(Connect(new { user = "alice", pass = "wonderland" })))
        {
        }
        await ExpectRefusedAsync(server, Connect(new { user = "alice", pass = hash }));
        await ExpectRefusedAsync(server, Connect(new { user = "alice", pass = "wrong" }));
    }

    [Test]
    public async Task SingleUserFromTheAuthorizationBlock()
    {
        await using var server = await TestServer.StartAsync(o => o.Auth = new AuthOptions { Username = "derek", Password = "pw" });
        await using (await server.ConnectAsync(Connect(new { user = "derek", pass = "pw" })))
        {
        }
        await ExpectRefusedAsync(server, Connect(new { user = "derek", pass = "px" }));
    }

    [Test]
    public async Task OperationsAfterAnAsynchronousLoginRunInOrder()
    {
        // bcrypt runs off the read loop; whatever the client sent behind CONNECT must wait for
        // the verdict and then run in order.
        var hash = Bcrypt.Hash("wonderland", 4);
        await using var server = await TestServer.StartAsync(o => o.Auth = new AuthOptions
        {
            Users = [new UserConfig { Username = "alice", Password = hash }],
        });
        await using var client = await server.ConnectRawAsync();
        await client.SendAsync($"CONNECT {Connect(new { user = "alice", pass = "wonderland" })}\r\nSUB foo 1\r\nPUB foo 2\r\nhi\r\nPING\r\n");
        await client.ExpectMsgAsync("foo", "1", "hi");
        await client.ExpectLineAsync("PONG");
    }

    [Test]
    public async Task OperationsBehindAFailedAsynchronousLoginAreNeverRun()
    {
        var hash = Bcrypt.Hash("wonderland", 4);
        await using var server = await TestServer.StartAsync(o => o.Auth = new AuthOptions
        {
            Users = [new UserConfig { Username = "alice", Password = hash }],
        });
        await using var watcher = await server.ConnectAsync(Connect(new { user = "alice", pass = "wonderland" }));
        await watcher.SendAsync("SUB foo 1\r\n");
        await watcher.PingAsync();

        await using var intruder = await server.ConnectRawAsync();
        await intruder.SendAsync($"CONNECT {Connect(new { user = "alice", pass = "guess" })}\r\nPUB foo 2\r\nhi\r\nPING\r\n");
        await intruder.ExpectErrAndCloseAsync("Authorization Violation");
        await watcher.PingAsync(); // nothing was published
    }

    [Test]
    public async Task AllowedConnectionTypesRefusesOtherTypes()
    {
        await using var server = await TestServer.StartAsync(o => o.Auth = new AuthOptions
        {
            Users =
            [
                new UserConfig { Username = "std", Password = "pw", AllowedConnectionTypes = ["STANDARD"] },
                new UserConfig { Username = "ws", Password = "pw", AllowedConnectionTypes = ["WEBSOCKET", "MQTT"] },
            ],
        });
        await using (await server.ConnectAsync(Connect(new { user = "std", pass = "pw" })))
        {
        }
        await ExpectRefusedAsync(server, Connect(new { user = "ws", pass = "pw" }));
    }
}
