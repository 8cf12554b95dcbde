using System.Text;
using Microsoft.Extensions.Logging;
using Nats.Core.Protocol;
using Nats.TestSupport;

namespace Nats.Core.Tests.Protocol;

/// <summary>
/// A client's <c>INFO</c> decoded as nats-server decodes it (into Go's <c>server.Info</c>):
/// fields of the wrong JSON type or range are a protocol violation that closes the connection
/// with Go's error in the log, exactly as nats-server 2.9.10 does for the same bytes.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class ClientInfoCheckTests
{
    /// <summary>Each INFO body with the error nats-server 2.9.10 logs for it (read from its log), or null when it accepts it.</summary>
    private static readonly (string Body, string? Error)[] Cases =
    [
        ("""{"port":"x"}""", "json: cannot unmarshal string into Go struct field Info.port of type int"),
        ("""{"PORT":"x"}""", "json: cannot unmarshal string into Go struct field Info.port of type int"),
        ("""{"gateway_cmd":300}""", "json: cannot unmarshal number 300 into Go struct field Info.gateway_cmd of type uint8"),
        ("""{"port":1.5}""", "json: cannot unmarshal number 1.5 into Go struct field Info.port of type int"),
        ("""{"connect_urls":[1]}""", "json: cannot unmarshal number into Go struct field Info.connect_urls of type string"),
        ("""{"import":{"allow":5}}""", "json: cannot unmarshal number into Go struct field SubjectPermission.import.allow of type []string"),
        ("""{"import":{"allow":"a"}}""", "json: cannot unmarshal string into Go struct field SubjectPermission.import.allow of type []string"),
        ("""{"import":[]}""", "json: cannot unmarshal array into Go struct field Info.import of type server.SubjectPermission"),
        ("""{"gateway_cmd_payload":"!!"}""", "illegal base64 data at input byte 0"),
        ("""{"max_payload":3000000000}""", "json: cannot unmarshal number 3000000000 into Go struct field Info.max_payload of type int32"),
        ("""{"client_id":-1}""", "json: cannot unmarshal number -1 into Go struct field Info.client_id of type uint64"),
        ("""{"port":"x","headers":"y"}""", "json: cannot unmarshal string into Go struct field Info.port of type int"),
        ("""{"headers":1}""", "json: cannot unmarshal number into Go struct field Info.headers of type bool"),
        ("""{"port":null,"connect_urls":null}""", null),
        ("""{"port":4222,"connect_urls":["a:1"],"import":{"allow":["x"],"other":1},"unknown":[1,{"a":2}]}""", null),
        ("""{"gateway_cmd_payload":"aGk="}""", null),
    ];

    private static IEnumerable<TestCaseData> Each() => Cases.Select(c => new TestCaseData(c.Body, c.Error).SetArgDisplayNames(c.Body));

    [TestCaseSource(nameof(Each))]
    public void Go_errors_for_each_body(string body, string? error) =>
        Assert.That(ClientInfoCheck.Error(Encoding.UTF8.GetBytes(body)), Is.EqualTo(error));

    [Test]
    public async Task A_mistyped_INFO_closes_the_connection_and_logs_Go_s_error()
    {
        var log = new ListLoggerProvider();
        using var factory = log.CreateFactory();
        await using var server = await TestServer.StartAsync(logs: factory);
        await using var client = await server.ConnectRawAsync();
        await client.SendAsync("CONNECT {\"verbose\":false}\r\nINFO {\"port\":\"x\"}\r\nPING\r\n");
        await client.ExpectCloseWithoutErrorAsync();

        await Eventually.TrueAsync(() => log.Contains(LogLevel.Error, "cannot unmarshal"), "the error line", TimeSpan.FromSeconds(5));
        var line = log.Lines.First(l => l.Message.Contains("cannot unmarshal")).Message;
        Assert.That(line, Does.Match(@"^127\.0\.0\.1:\d+ - cid:\d+ - json: cannot unmarshal string into Go struct field Info\.port of type int$"));
    }

    [Test]
    public async Task Each_body_is_refused_or_accepted_as_nats_server_does()
    {
        ReferenceServer.RequireInstalled();
        var port = FreePorts.Take();
        await using var reference = await ReferenceServer.StartAsync($"port: {port}\n", port);
        await using var ours = await TestServer.StartAsync();
        foreach (var (body, error) in Cases)
        {
            Assert.That(await OutcomeAsync(ours.Port, body), Is.EqualTo(await OutcomeAsync(port, body)), body);
            Assert.That(await OutcomeAsync(ours.Port, body), Is.EqualTo(error is null ? "PONG\r\n" : ""), body);
        }
    }

    /// <summary>What a client reads after CONNECT, the INFO and a PING: PONG, or nothing before the close.</summary>
    private static async Task<string> OutcomeAsync(int port, string body)
    {
        await using var client = await RawClient.ConnectAsync(port);
        await client.SendAsync($"CONNECT {{\"verbose\":false}}\r\nINFO {body}\r\nPING\r\n");
        try
        {
            return await client.ReadLineAsync() + "\r\n";
        }
        catch (AssertionException)
        {
            // RawClient's "the server closed the connection".
            return "";
        }
    }
}
