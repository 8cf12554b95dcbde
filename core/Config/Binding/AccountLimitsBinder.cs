using Nats.Core.Accounts;

namespace Nats.Core.Config.Binding;

/// <summary>An account's <c>limits {}</c> block, as nats-server's <c>parseAccountLimits</c> reads it.</summary>
internal static class AccountLimitsBinder
{
    public static AccountLimits Bind(ConfEntry entry, BindContext ctx)
    {
        if (entry.Value is not ConfMap map)
        {
            ctx.Error(entry, $"Expected account limits to be a map/struct, got {entry.Value.Describe()}");
            return AccountLimits.None;
        }
        var limits = AccountLimits.None;
        foreach (var item in map)
        {
            switch (item.Key.ToLowerInvariant())
            {
                case "max_connections" or "max_conn":
                    if (ctx.TryInt(item, out var connections))
                    {
                        limits = limits with { MaxConnections = connections };
                    }
                    break;
                case "max_subscriptions" or "max_subs":
                    if (ctx.TryInt(item, out var subscriptions))
                    {
                        limits = limits with { MaxSubscriptions = subscriptions };
                    }
                    break;
                case "max_payload" or "max_pay":
                    if (ctx.TryInt(item, out var payload))
                    {
                        limits = limits with { MaxPayload = payload };
                    }
                    break;
                case "max_leafnodes" or "max_leafs":
                    if (ctx.TryInt(item, out var leafs))
                    {
                        limits = limits with { MaxLeafNodeConnections = leafs };
                    }
                    break;
                default:
                    if (!item.Value.IsUsedAsVariable)
                    {
                        ctx.Error(item, $"Unknown field \"{item.Key}\" parsing account limits");
                    }
                    break;
            }
        }
        return limits;
    }
}
