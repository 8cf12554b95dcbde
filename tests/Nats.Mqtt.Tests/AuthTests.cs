using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using NATS.Client.Core;

namespace Nats.Mqtt.Tests;

/// <summary>An MQTT user is a server user: credentials, accounts and permissions are the kernel's.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class AuthTests
{
    private const string Users = """
        authorization {
          users: [
            { user: alice, password: secret }
            { user: bob, password: pw, permissions: { publish: "allowed.>", subscribe: ["allowed.>", "$MQTT.sub.>"] } }
          ]
        }
        """;

    /// <summary>The CONNACK code of a refused connect (MQTTnet 5 returns it, or throws carrying it in the message).</summary>
    internal static async Task<MqttClientConnectResultCode> RefusalAsync(IMqttClient client, MqttClientOptions options)
    {
        try
        {
            var result = await client.ConnectAsync(options);
            return result.ResultCode;
        }
        catch (MqttConnectingFailedException e)
        {
            foreach (var code in Enum.GetValues<MqttClientConnectResultCode>())
            {
                if (e.Message.Contains(code.ToString(), StringComparison.Ordinal))
                {
                    return code;
                }
            }
            throw;
        }
    }

    [TestCase(MqttProtocolVersion.V311, MqttClientConnectResultCode.BadUserNameOrPassword)]
    [TestCase(MqttProtocolVersion.V500, MqttClientConnectResultCode.BadUserNameOrPassword)]
    public async Task Wrong_credentials_get_a_refusing_CONNACK(MqttProtocolVersion version, MqttClientConnectResultCode expected)
    {
        await using var server = await MqttServer.StartAsync(Users);
        var client = new MqttClientFactory().CreateMqttClient();
        var options = server.Options("c1", version).WithCredentials("alice", "wrong").Build();
        Assert.That(await RefusalAsync(client, options), Is.EqualTo(expected));
        // No kernel client is left behind.
        await Nats.TestSupport.TestServer.WaitUntilAsync(() => server.Server.Clients.Count == 0, "no client left");
    }

    [Test]
    public async Task No_credentials_when_users_are_required_is_not_authorized()
    {
        await using var server = await MqttServer.StartAsync(Users);
        var client = new MqttClientFactory().CreateMqttClient();
        Assert.That(await RefusalAsync(client, server.Options("c1").Build()), Is.EqualTo(MqttClientConnectResultCode.NotAuthorized));
    }

    [Test]
    public async Task Right_credentials_connect_and_permissions_refuse_a_subscription()
    {
        await using var server = await MqttServer.StartAsync(Users);
        using var bob = await server.ConnectAsync("bob1", MqttProtocolVersion.V500, o => o.WithCredentials("bob", "pw"));
        var result = await bob.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("allowed/x").WithTopicFilter("denied/x").Build());
        Assert.That(result.Items.Select(i => i.ResultCode), Is.EqualTo(new[] { MqttClientSubscribeResultCode.GrantedQoS0, MqttClientSubscribeResultCode.NotAuthorized }));
        var received = new Received(bob);
        await using var nats = server.Nats("alice", "secret");
        await nats.PublishAsync("denied.x", "no");
        await nats.PublishAsync("allowed.x", "yes");
        Assert.That((await received.NextAsync()).ConvertPayloadToString(), Is.EqualTo("yes"));
    }

    [Test]
    public async Task The_mqtt_block_authorization_overrides_the_server_users()
    {
        await using var server = await MqttServer.StartAsync(mqttBlock: "authorization { user: m, password: p }");
        using var ok = await server.ConnectAsync("c1", configure: o => o.WithCredentials("m", "p"));
        Assert.That(ok.IsConnected, Is.True);
        var client = new MqttClientFactory().CreateMqttClient();
        Assert.That(await RefusalAsync(client, server.Options("c2").WithCredentials("m", "x").Build()), Is.EqualTo(MqttClientConnectResultCode.BadUserNameOrPassword));
    }

    [Test]
    public async Task A_login_whose_password_check_outlasts_the_auth_timeout_is_accepted()
    {
        // One deadline: the client has the auth timeout to send CONNECT. Checking its password
        // (bcrypt, here slower than that timeout) is this server's work: the kernel client the
        // session opens for it has no auth timer of its own to cut the login short. A 1 s timeout
        // leaves a loaded machine time to send CONNECT; cost 15 (hashing takes as long as checking,
        // so timing the hash shows the check outlasts the timeout) is about 2 s on a quiet one.
        var checking = System.Diagnostics.Stopwatch.StartNew();
        var hash = Nats.Core.Security.Bcrypt.Hash("pw", 15);
        Assume.That(checking.Elapsed, Is.GreaterThan(TimeSpan.FromSeconds(1)), "a password check slower than the timeout");
        await using var server = await MqttServer.StartAsync($$"""
            authorization {
              timeout: 1
              users: [ { user: slow, password: "{{hash}}" } ]
            }
            """);
        using var client = await server.ConnectAsync("slow1", MqttProtocolVersion.V311, o => o.WithCredentials("slow", "pw"));
        Assert.That(client.IsConnected, Is.True);
        Assert.That(server.Server.Clients.Single().User, Is.EqualTo("slow"));
    }
}
