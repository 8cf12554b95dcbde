using System.Text.Json;
using Nats.TestSupport;

namespace Nats.Host.Tests.EndToEnd;

/// <summary>
/// <c>$SYS.REQ.SERVER.&lt;id&gt;.RELOAD</c> (nats-server 2.10+): the system user reloads the
/// config file over NATS, as <c>nats server config reload</c> does; a refused reload answers
/// with the reason.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class SystemReloadEndToEndTests
{
    private const string SysConnect = """{"verbose":false,"pedantic":false,"headers":true,"protocol":1,"user":"sys","pass":"pw"}""";

    private TempDirectory _dir = null!;
    private int _port;

    [SetUp]
    public void SetUp()
    {
        _dir = new TempDirectory();
        _port = FreePorts.Take();
    }

    [TearDown]
    public void TearDown() => _dir.Dispose();

    private string Config(string alicePassword, string extra = "") => $$"""
        listen: 127.0.0.1:{{_port}}
        accounts {
          $SYS { users: [{user: sys, password: pw}] }
          APP { users: [{user: alice, password: "{{alicePassword}}"}] }
        }
        {{extra}}
        """;

    [Test]
    public async Task The_system_user_reloads_the_config_file_over_nats()
    {
        var config = _dir.Write("sys.conf", Config("first"));
        using var host = HostProcess.Start(_dir.Path, "-c", "sys.conf");
        await host.WaitForLogAsync("Server is ready");
        Assert.That(await RawClient.TryLoginAsync(_port, "alice", "first"), Is.EqualTo("PONG"));

        await using var sys = await RawClient.ConnectAndHandshakeAsync(_port, SysConnect);
        await sys.SendAsync("SUB reply 1\r\nPUB $SYS.REQ.SERVER.PING.IDZ reply 0\r\n\r\n");
        var id = JsonDocument.Parse((await sys.ReadMessageAsync()).Payload).RootElement.GetProperty("id").GetString();

        // A config that does not load: the answer says why, and nothing changes.
        File.WriteAllText(config, Config("second", "max_payload: 3GB"));
        await sys.SendAsync($"PUB $SYS.REQ.SERVER.{id}.RELOAD reply 0\r\n\r\n");
        var refused = JsonDocument.Parse((await sys.ReadMessageAsync()).Payload).RootElement;
        Assert.That(refused.GetProperty("error").GetProperty("code").GetInt32(), Is.EqualTo(500));
        Assert.That(refused.GetProperty("error").GetProperty("description").GetString(), Does.Contain("max_payload value is too big"));
        Assert.That(await RawClient.TryLoginAsync(_port, "alice", "first"), Is.EqualTo("PONG"));

        File.WriteAllText(config, Config("second"));
        await sys.SendAsync($"PUB $SYS.REQ.SERVER.{id}.RELOAD reply 0\r\n\r\n");
        var answer = JsonDocument.Parse((await sys.ReadMessageAsync()).Payload).RootElement;
        Assert.That(answer.TryGetProperty("error", out _), Is.False, answer.ToString());
        Assert.That(answer.GetProperty("server").GetProperty("id").GetString(), Is.EqualTo(id));
        await host.WaitForLogAsync("Reloaded server configuration");
        Assert.That(await RawClient.TryLoginAsync(_port, "alice", "second"), Is.EqualTo("PONG"));
        Assert.That(await RawClient.TryLoginAsync(_port, "alice", "first"), Is.EqualTo("-ERR 'Authorization Violation'"));
    }
}
