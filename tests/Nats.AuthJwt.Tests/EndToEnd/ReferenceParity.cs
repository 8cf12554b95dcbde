using Nats.TestSupport;

namespace Nats.AuthJwt.Tests.EndToEnd;

/// <summary>
/// One scenario run on this server and then on nats-server 2.9.10 with the same config: what the
/// clients saw, line by line, for the test to compare. The reference run is skipped (null) where
/// nats-server is not installed, so the test still checks this server's outcome.
/// </summary>
internal static class ReferenceParity
{
    /// <param name="config">The config for a client port.</param>
    /// <param name="scenario">Drives clients against the server on the port and says what they saw.</param>
    /// <param name="plugins">Plugins this server loads beside Auth.JWT (made anew for the run).</param>
    public static async Task<(List<string> Ours, List<string>? Reference)> RunAsync(Func<int, string> config, Func<int, Task<List<string>>> scenario, Func<Nats.Core.Plugins.IServerPlugin[]>? plugins = null)
    {
        List<string> ours;
        var port = FreePorts.Take();
        await using (var server = await JwtServer.StartAsync(config(port), plugins?.Invoke() ?? []))
        {
            ours = await scenario(port);
        }
        if (ReferenceServer.FindBinary() is null)
        {
            return (ours, null);
        }
        var referencePort = FreePorts.Take();
        await using var reference = await ReferenceServer.StartAsync(config(referencePort), referencePort);
        return (ours, await scenario(referencePort));
    }

    /// <summary>A raw client of <paramref name="user"/>: CONNECT with its JWT and nonce signature, PING, and the first line answered.</summary>
    public static async Task<(RawClient Client, string First)> LoginAsync(int port, TestUser user)
    {
        var raw = await RawClient.ConnectAsync(port);
        raw.AnswerPings = true;
        await raw.SendAsync(user.Connect(raw.Info.GetProperty("nonce").GetString()!) + "\r\nPING\r\n");
        return (raw, await raw.ReadLineAsync());
    }
}
