using MQTTnet;
using MQTTnet.Adapter;
using Nats.JetStream.Server;
using Nats.Mqtt;
using Nats.TestSupport;

namespace Nats.AuthJwt.Tests.EndToEnd;

/// <summary>
/// MQTT login in operator mode: the CONNECT password is the user JWT (nats-server's
/// <c>mqttParseConnect</c> sets <c>JWT = Password</c>); with no nonce to sign, a bearer-token user gets
/// in and a plain one is refused (nats-server: "Signature missing"). The account's JWT carries
/// JetStream limits, which MQTT sessions need. MQTTnet clients.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class MqttJwtLoginTests
{
    [Test]
    public async Task A_bearer_user_jwt_as_password_logs_in_and_a_plain_one_is_refused()
    {
        using var setup = new OperatorSetup();
        var account = setup.NewAccount("MQ");
        var bearer = setup.NewUser(account, "bearer", u => u.Nats.BearerToken = true);
        var plain = setup.NewUser(account, "plain");
        var accountJwt = setup.AccountJwt(account, a =>
        {
            a.Nats.Limits.MemoryStorage = -1;
            a.Nats.Limits.DiskStorage = -1;
        });
        var port = FreePorts.Take();
        var mqttPort = FreePorts.Take();
        var config = setup.MemoryConfig(port, accountJwt) + $$"""

            server_name: jwtmqtt
            jetstream { store_dir: "{{Path.Combine(setup.Directory, "js")}}" }
            mqtt { host: 127.0.0.1, port: {{mqttPort}} }
            """;
        await using var server = await JwtServer.StartAsync(config, new JetStreamPlugin(), new MqttPlugin());
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        MqttClientOptions Options(string id, TestUser user) => new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", mqttPort).WithClientId(id).WithCleanSession()
            .WithCredentials("anyone", user.Jwt).WithTimeout(TimeSpan.FromSeconds(10)).Build();

        using var client = new MqttClientFactory().CreateMqttClient();
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ApplicationMessageReceivedAsync += e =>
        {
            received.TrySetResult($"{e.ApplicationMessage.Topic}={e.ApplicationMessage.ConvertPayloadToString()}");
            return Task.CompletedTask;
        };
        var connected = await client.ConnectAsync(Options("bearer", bearer), cts.Token);
        Assert.That(connected.ResultCode, Is.EqualTo(MqttClientConnectResultCode.Success));
        await client.SubscribeAsync("t/1", MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce, cts.Token);
        await client.PublishStringAsync("t/1", "hello", MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: cts.Token);
        Assert.That(await received.Task.WaitAsync(cts.Token), Is.EqualTo("t/1=hello"));

        using var refused = new MqttClientFactory().CreateMqttClient();
        string outcome;
        try
        {
            outcome = (await refused.ConnectAsync(Options("plain", plain), cts.Token)).ResultCode.ToString();
        }
        catch (MqttConnectingFailedException e)
        {
            outcome = e.Message;
        }
        Assert.That(outcome, Does.Contain(nameof(MqttClientConnectResultCode.BadUserNameOrPassword)));
        Assert.That(refused.IsConnected, Is.False);
    }
}
