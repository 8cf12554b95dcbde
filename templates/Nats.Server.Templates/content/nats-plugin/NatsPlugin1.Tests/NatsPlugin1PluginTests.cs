using NATS.Client.Core;

namespace NatsPlugin1.Tests;

/// <summary>The plugin in a running server: who gets in, and what a reload changes.</summary>
public sealed class NatsPlugin1PluginTests
{
    [Test]
    public async Task RightToken_ConnectsAndMessagesFlow()
    {
        await using var server = await PluginServer.StartAsync("natsplugin1 { token: \"s3cret\" }");
        await using var client = await ConnectAsync(server, "s3cret");

        await using var subscription = await client.SubscribeCoreAsync<string>("greetings");
        await client.PingAsync();   // the subscription is on the server before the publish
        await client.PublishAsync("greetings", "hello");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var message = await subscription.Msgs.ReadAsync(cts.Token);
        Assert.That(message.Data, Is.EqualTo("hello"));
    }

    [Test]
    public async Task WrongToken_IsRefused()
    {
        await using var server = await PluginServer.StartAsync("natsplugin1 { token: \"s3cret\" }");

        var refused = Assert.ThrowsAsync<NatsException>(async () => await ConnectAsync(server, "wrong"));
        Assert.That(refused!.ToString(), Does.Contain("Authorization Violation"));
    }

    [Test]
    public async Task Reload_SwapsTheToken()
    {
        await using var server = await PluginServer.StartAsync("natsplugin1 { token: \"old\" }");

        var result = server.Reload("natsplugin1 { token: \"new\" }");

        Assert.That(result.Success, Is.True, string.Join("; ", result.Errors));
        await using (await ConnectAsync(server, "new"))
        {
        }
        Assert.ThrowsAsync<NatsException>(async () => await ConnectAsync(server, "old"));
    }

    [Test]
    public async Task Reload_TurningTheTokenOff_IsRefused()
    {
        await using var server = await PluginServer.StartAsync("natsplugin1 { token: \"s3cret\" }");

        var result = server.Reload("");

        Assert.That(result.Success, Is.False);
        Assert.That(string.Join("; ", result.Errors), Does.Contain("natsplugin1.token"));
        await using (await ConnectAsync(server, "s3cret"))
        {
        }
    }

    /// <summary>Connects once, no retries: a refusal surfaces as a NatsException.</summary>
    private static async Task<NatsConnection> ConnectAsync(PluginServer server, string token)
    {
        var connection = new NatsConnection(new NatsOpts
        {
            Url = server.Url,
            AuthOpts = new NatsAuthOpts { Token = token },
            MaxReconnectRetry = 0,
            ConnectTimeout = TimeSpan.FromSeconds(5),
        });
        try
        {
            await connection.ConnectAsync();
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
