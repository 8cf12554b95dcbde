using Microsoft.Extensions.Logging;
using Nats.Core.Protocol;
using Nats.TestSupport;

namespace Nats.Core.Tests.Protocol;

/// <summary>
/// What the operator reads when a client sends something that is not the protocol: the
/// connection, the reason and a quoted, bounded snippet of the bytes (nats-server's parser
/// errors), and a bounded number of lines however many clients misbehave.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class ProtocolErrorLogTests
{
    private const string Connect = "CONNECT {\"verbose\":false}\r\n";

    private ListLoggerProvider _log = null!;
    private ILoggerFactory _factory = null!;
    private TestServer _server = null!;

    [SetUp]
    public async Task StartServer()
    {
        _log = new ListLoggerProvider();
        _factory = _log.CreateFactory();
        _server = await TestServer.StartAsync(o => o.MaxPayload = 1024, _factory);
    }

    [TearDown]
    public async Task StopServer()
    {
        await _server.AssertHealthyAsync();
        await _server.DisposeAsync();
        _factory.Dispose();
    }

    [Test]
    public async Task A_garbage_operation_is_logged_with_the_connection_and_a_quoted_snippet()
    {
        await using var client = await _server.ConnectRawAsync();
        await client.SendAsync(Connect + "FOO bar\u0001\r\n");
        await client.ExpectErrAndCloseAsync("Unknown Protocol Operation");

        var line = await ErrorLineAsync("Client parser ERROR");
        Assert.That(line, Does.Contain("cid:"));
        Assert.That(line, Does.EndWith("Client parser ERROR: proto='\"FOO bar\\x01\\r\\n\"...'"));
    }

    [TestCase("SUB\tfoo 1 2 3\r\n", "processSub Parse Error: \"foo 1 2 3\"")]
    [TestCase("PUB foo bar baz 5\r\n", "processPub Parse Error: \"foo bar baz 5\"")]
    [TestCase("UNSUB 1 2 3\r\n", "processUnsub Parse Error: \"1 2 3\"")]
    public async Task Malformed_arguments_close_silently_and_name_the_operation_in_the_log(string input, string expected)
    {
        await using var client = await _server.ConnectRawAsync();
        await client.SendAsync(Connect + input);
        await client.ExpectCloseWithoutErrorAsync();

        Assert.That(await ErrorLineAsync(expected), Does.EndWith(expected));
    }

    [Test]
    public async Task An_oversized_publish_logs_both_sizes()
    {
        await using var client = await _server.ConnectRawAsync();
        await client.SendAsync(Connect + "PUB foo 4096\r\n");
        await client.ExpectErrAndCloseAsync("Maximum Payload Violation");

        Assert.That(await ErrorLineAsync("Maximum Payload Exceeded"), Does.EndWith("Maximum Payload Exceeded: 4096 vs 1024"));
    }

    [TestCase("INFO {\"server_id\":x\r\n")]
    [TestCase("INFO {\"server_id\":\"x\"\r\n")]
    [TestCase("INFO [1,2]\r\n")]
    [TestCase("INFO \"text\"\r\n")]
    [TestCase("INFO {} {}\r\n")]
    [TestCase("INFO\r\n")]
    public async Task A_client_INFO_that_is_not_a_JSON_object_is_a_protocol_violation(string input)
    {
        await using var client = await _server.ConnectRawAsync();
        await client.SendAsync(Connect + input);
        await client.ExpectCloseWithoutErrorAsync();
        await ErrorLineAsync("cid:");
    }

    [TestCase("INFO {\"server_id\":\"x\",\"nested\":{\"a\":[1,2]}}\r\n")]
    [TestCase("INFO null\r\n")]
    [TestCase("INFO  {}  \r\n")]
    public async Task A_client_INFO_that_decodes_is_ignored(string input)
    {
        await using var client = await _server.ConnectRawAsync();
        await client.SendAsync(Connect + input + "PING\r\n");
        await client.ExpectLineAsync("PONG");
    }

    [Test]
    public async Task A_client_ERR_is_logged_and_closes()
    {
        await using var client = await _server.ConnectRawAsync();
        await client.SendAsync(Connect + "-ERR 'something broke'\r\n");
        await client.ExpectCloseWithoutErrorAsync();

        Assert.That(await ErrorLineAsync("Client Error"), Does.EndWith("Client Error 'something broke'"));
    }

    [Test]
    public async Task A_flood_of_garbage_clients_writes_a_bounded_number_of_lines()
    {
        var started = DateTime.UtcNow;
        for (var i = 0; i < 300; i++)
        {
            await using var client = await _server.ConnectRawAsync();
            await client.SendAsync("GARBAGE\r\n");
            await client.ExpectErrAndCloseAsync("Unknown Protocol Operation");
        }
        var seconds = Math.Ceiling((DateTime.UtcNow - started).TotalSeconds) + 1;

        var lines = _log.Count(LogLevel.Error, "Client parser ERROR");
        Assert.That(lines, Is.GreaterThanOrEqualTo(10));
        Assert.That(lines, Is.LessThanOrEqualTo(10 * seconds), $"{lines} lines in {seconds} s");
        if (lines < 300)
        {
            // Once the window reopens, the first line says how many were held back.
            await using var client = await _server.ConnectRawAsync();
            await Task.Delay(1100);
            await client.SendAsync("GARBAGE\r\n");
            await client.ExpectErrAndCloseAsync("Unknown Protocol Operation");
            await ErrorLineAsync("similar lines suppressed");
        }
    }

    [TestCase(new byte[] { 0, 1, (byte)'a', (byte)'"', (byte)'\\', 13, 10, 0x7f }, "\"\\x00\\x01a\\\"\\\\\\r\\n\\x7f\"")]
    [TestCase(new byte[] { 0xff, (byte)'x', 0xc3, 0xa9, 0xc2, 0x85 }, "\"\\xffxé\\u0085\"")]
    public void Snippets_are_quoted_as_Go_quotes_them(byte[] data, string expected) =>
        Assert.That(ProtocolSnippet.Quote(data), Is.EqualTo(expected));

    [Test]
    public void Snippets_are_bounded() =>
        Assert.That(ProtocolSnippet.Quote(new byte[1000].AsSpan().ToArray().Select(_ => (byte)'a').ToArray()), Has.Length.EqualTo(ProtocolSnippet.MaxBytes + 2));

    private async Task<string> ErrorLineAsync(string text)
    {
        await Eventually.TrueAsync(() => _log.Contains(LogLevel.Error, text), $"an error line with {text}", TimeSpan.FromSeconds(5));
        return _log.Lines.First(l => l.Level == LogLevel.Error && l.Message.Contains(text, StringComparison.Ordinal)).Message;
    }
}
