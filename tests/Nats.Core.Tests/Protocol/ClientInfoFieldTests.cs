using System.Text.Json;
using Nats.TestSupport;

namespace Nats.Core.Tests.Protocol;

/// <summary>Plugins' client INFO fields (<see cref="NatsServer.SetClientInfoField"/>).</summary>
[TestFixture]
[CancelAfter(20_000)]
public sealed class ClientInfoFieldTests
{
    [Test]
    public async Task A_field_set_before_start_and_after_reaches_new_clients_until_removed()
    {
        var options = new Nats.Core.Config.ServerOptions { Host = "127.0.0.1", Port = -1 };
        await using var server = new NatsServer(options);
        server.SetClientInfoField("early", JsonDocument.Parse("{\"a\":1}").RootElement);
        await server.StartAsync();
        server.SetClientInfoField("late", JsonDocument.Parse("\"x\"").RootElement);

        var info = await InfoAsync(server.Port);
        Assert.That(info.GetProperty("early").GetProperty("a").GetInt32(), Is.EqualTo(1));
        Assert.That(info.GetProperty("late").GetString(), Is.EqualTo("x"));
        Assert.That(info.GetProperty("server_id").GetString(), Is.EqualTo(server.ServerId), "the kernel's fields stay");

        server.SetClientInfoField("early", null);
        info = await InfoAsync(server.Port);
        Assert.That(info.TryGetProperty("early", out _), Is.False);
        Assert.That(info.GetProperty("late").GetString(), Is.EqualTo("x"));
        await server.ShutdownAsync();
    }

    [Test]
    public void A_kernel_field_cannot_be_overridden()
    {
        var server = new NatsServer(new Nats.Core.Config.ServerOptions());
        Assert.That(() => server.SetClientInfoField("max_payload", JsonDocument.Parse("1").RootElement), Throws.ArgumentException);
    }

    private static async Task<JsonElement> InfoAsync(int port)
    {
        await using var client = await RawClient.ConnectAsync(port);
        return JsonDocument.Parse(client.InfoLine!["INFO ".Length..]).RootElement.Clone();
    }
}
