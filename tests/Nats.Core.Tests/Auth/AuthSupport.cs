using System.Text.Json;
using Nats.Core.Security;
using Nats.TestSupport;

namespace Nats.Core.Tests.Auth;

/// <summary>CONNECT builders for the auth tests.</summary>
internal static class AuthSupport
{
    /// <summary>CONNECT JSON with verbose and pedantic off plus the given credential fields.</summary>
    public static string Connect(object credentials)
    {
        var fields = JsonSerializer.SerializeToElement(credentials).EnumerateObject()
            .ToDictionary(p => p.Name, p => (object?)p.Value);
        fields["verbose"] = false;
        fields["pedantic"] = false;
        return JsonSerializer.Serialize(fields);
    }

    /// <summary>The CONNECT fields of an nkey user answering the nonce of <paramref name="client"/>'s INFO.</summary>
    public static string NKeyConnect(RawClient client, NKeyPair key)
    {
        var nonce = client.Info.GetProperty("nonce").GetString()!;
        var signature = key.Sign(System.Text.Encoding.ASCII.GetBytes(nonce));
        // nats clients send the signature base64url without padding.
        var sig = Convert.ToBase64String(signature).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return Connect(new { nkey = key.PublicKey, sig });
    }

    /// <summary>Connects, sends <paramref name="connectJson"/> and expects the authorization violation and a close.</summary>
    public static async Task ExpectRefusedAsync(TestServer server, string connectJson)
    {
        await using var client = await server.ConnectRawAsync();
        await client.SendAsync($"CONNECT {connectJson}\r\nPING\r\n");
        await client.ExpectErrAndCloseAsync("Authorization Violation");
    }
}
