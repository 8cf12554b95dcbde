using Nats.TestSupport;

namespace Nats.Leafnode.Tests.Interop;

/// <summary>
/// What the leaf tests read of a nats-server 2.9.10 started with
/// <see cref="ReferenceServer.StartWithPortsAsync"/>: its leaf and websocket ports
/// (<c>{LEAF_PORT}</c>, <c>{WS_PORT}</c> in the config) and its <c>/leafz</c>.
/// </summary>
public static class GoLeafz
{
    extension(ReferenceServer go)
    {
        /// <summary>The port {LEAF_PORT} stood for in the config.</summary>
        public int LeafPort => go.PortOf("LEAF");

        /// <summary>The port {WS_PORT} stood for in the config.</summary>
        public int WebSocketPort => go.PortOf("WS");

        /// <summary>Number of leaf connections the Go server has.</summary>
        public async Task<int> LeafCountAsync() => (await go.MonitorAsync("/leafz?subs=1")).GetProperty("leafnodes").GetInt32();

        /// <summary>True when one of its leaf connections (in <paramref name="account"/> when given) has a subscription on <paramref name="subject"/>.</summary>
        public async Task<bool> LeafHasSubAsync(string subject, string? account = null)
        {
            var leafz = await go.MonitorAsync("/leafz?subs=1");
            foreach (var leaf in leafz.GetProperty("leafs").EnumerateArray())
            {
                if (account is not null && leaf.GetProperty("account").GetString() != account)
                {
                    continue;
                }
                if (leaf.TryGetProperty("subscriptions_list", out var list) && list.EnumerateArray().Any(s => s.GetString() == subject))
                {
                    return true;
                }
            }
            return false;
        }
    }
}
