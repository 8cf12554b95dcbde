// An embedded NATS server and the official .NET client (NATS.Net) in one process:
// start the server on a free port, subscribe, publish, make a request to a service, stop.
using NATS.Client.Core;
using Nats.Core;
using Nats.Core.Config;

// Port -1: a free port, as in a nats-server config. Listen on loopback only.
await using var server = new NatsServer(new ServerOptions { Host = "127.0.0.1", Port = -1 });
await server.StartAsync();
Console.WriteLine($"server listening on {server.ClientUrl}");

await using var client = new NatsConnection(new NatsOpts { Url = server.ClientUrl, Name = "embedded-sample" });
await client.ConnectAsync();

// A service answering requests on "time".
using var stop = new CancellationTokenSource();
var service = Task.Run(async () =>
{
    await foreach (var request in client.SubscribeAsync<string>("time", cancellationToken: stop.Token))
    {
        await request.ReplyAsync($"it is {DateTime.UtcNow:O}, {request.Data}");
    }
});

// Publish/subscribe, with a header.
await using var subscription = await client.SubscribeCoreAsync<string>("greetings.>");
await client.PingAsync();   // the subscription is registered on the server before we publish
var headers = new NatsHeaders { ["Sent-By"] = "Program.cs" };
await client.PublishAsync("greetings.world", "hello", headers: headers);
var message = await subscription.Msgs.ReadAsync();
Console.WriteLine($"received '{message.Data}' on {message.Subject} (Sent-By: {message.Headers?["Sent-By"]})");

// Request/reply (the service's subscription is in place once a ping round trip confirms it).
await client.PingAsync();
var reply = await client.RequestAsync<string, string>("time", "asked by the sample");
Console.WriteLine($"reply: {reply.Data}");

// No one serves "nobody.home": NATS answers with no-responders at once, no timeout.
try
{
    await client.RequestAsync<string, string>("nobody.home", "anyone?");
}
catch (NatsNoRespondersException)
{
    Console.WriteLine("no responders for nobody.home");
}

await stop.CancelAsync();
await service.ContinueWith(_ => { }, TaskScheduler.Default);
Console.WriteLine("done");
