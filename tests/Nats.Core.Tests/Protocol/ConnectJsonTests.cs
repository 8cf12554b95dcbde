using Nats.Core.Config;
using Nats.TestSupport;

namespace Nats.Core.Tests.Protocol;

/// <summary>
/// CONNECT JSON as nats-server reads it: Go's encoding/json unmarshals into the options the
/// connection already has, so omitted or null fields keep their values, names match without
/// regard to case and unknown fields are ignored (each case checked against nats-server 2.9.10).
/// </summary>
[TestFixture]
[CancelAfter(20_000)]
public sealed class ConnectJsonTests : ServerFixture
{
    [Test]
    public async Task ASecondConnectKeepsWhatItOmits()
    {
        await using var client = await Server.ConnectRawAsync();
        await client.SendAsync("CONNECT {\"verbose\":false,\"echo\":false,\"headers\":true}\r\nCONNECT {\"pedantic\":false}\r\n" +
            "SUB foo 1\r\nPUB foo 1\r\nx\r\nSUB bar 2\r\nHPUB bar 12 12\r\nNATS/1.0\r\n\r\n\r\nPING\r\n");
        // Still quiet (no +OK), still no echo, still headers (HPUB accepted, not a violation).
        await client.ExpectLineAsync("PONG");
    }

    [Test]
    public async Task NullFieldsKeepTheirValues()
    {
        await using var client = await Server.ConnectRawAsync();
        await client.SendAsync("CONNECT {\"verbose\":null}\r\nPING\r\n");
        await client.ExpectLineAsync("+OK");
        await client.ExpectLineAsync("PONG");
    }

    [Test]
    public async Task NullConnectKeepsTheDefaults()
    {
        await using var client = await Server.ConnectRawAsync();
        await client.SendAsync("CONNECT null\r\nPING\r\n");
        await client.ExpectLineAsync("+OK");
        await client.ExpectLineAsync("PONG");
    }

    [Test]
    public async Task FieldNamesAreCaseInsensitiveAndUnknownFieldsIgnored()
    {
        await using var client = await Server.ConnectRawAsync();
        await client.SendAsync("CONNECT {\"VERBOSE\":false,\"Echo\":false,\"unknown_field\":[1,2,{\"a\":null}]}\r\nSUB foo 1\r\nPUB foo 1\r\nx\r\nPING\r\n");
        await client.ExpectLineAsync("PONG");
    }

    [Test]
    public async Task TheLastOfDuplicateFieldsWins()
    {
        await using var client = await Server.ConnectRawAsync();
        await client.SendAsync("CONNECT {\"verbose\":false,\"verbose\":true}\r\nPING\r\n");
        await client.ExpectLineAsync("+OK");
        await client.ExpectLineAsync("PONG");
    }

    [TestCase("{\"verbose\":false,\"protocol\":\"1\"}")]
    [TestCase("{\"verbose\":false,\"protocol\":1.5}")]
    [TestCase("{\"verbose\":false} trailing")]
    [TestCase("{\"verbose\":false}{\"x\":1}")]
    [TestCase("[]")]
    [TestCase("42")]
    public async Task WrongTypesAndTrailingDataCloseWithoutAnError(string json)
    {
        await using var client = await Server.ConnectRawAsync();
        await client.SendAsync($"CONNECT {json}\r\nPING\r\n");
        await client.ExpectCloseWithoutErrorAsync();
    }

    [Test]
    public async Task ASecondConnectReauthenticatesWithTheMergedCredentials()
    {
        await using var server = await TestServer.StartAsync(o => o.Auth = new AuthOptions { Token = "secret" });
        await using (var kept = await server.ConnectRawAsync())
        {
            // The token from the first CONNECT still applies to the second.
            await kept.SendAsync("CONNECT {\"verbose\":false,\"auth_token\":\"secret\"}\r\nCONNECT {\"verbose\":false}\r\nPING\r\n");
            await kept.ExpectLineAsync("PONG");
        }
        await using var replaced = await server.ConnectRawAsync();
        await replaced.SendAsync("CONNECT {\"verbose\":false,\"auth_token\":\"secret\"}\r\nCONNECT {\"verbose\":false,\"auth_token\":\"bad\"}\r\nPING\r\n");
        await replaced.ExpectErrAndCloseAsync("Authorization Violation");
    }
}
