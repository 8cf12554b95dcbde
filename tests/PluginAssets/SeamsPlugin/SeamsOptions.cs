using Nats.Core.Config;

namespace SeamsPlugin;

/// <summary>
/// <c>seams { port: 4333, account: RUNTIME, user: u, password: p }</c>: where the plugin's
/// client listener binds, the account it registers at runtime, and the one user of that listener.
/// </summary>
public sealed record SeamsOptions(bool Enabled, int Port, string Account, string User, string Password)
{
    public static SeamsOptions Parse(ConfValue? section)
    {
        if (section is null)
        {
            return new SeamsOptions(false, 0, "", "", "");
        }
        var map = section.AsMap();
        int port = 0;
        string account = "SEAMS", user = "seams", password = "seams";
        foreach (var entry in map)
        {
            switch (entry.Key.ToLowerInvariant())
            {
                case "port":
                    port = entry.Value.AsInt();
                    break;
                case "account":
                    account = entry.Value.AsString();
                    break;
                case "user":
                    user = entry.Value.AsString();
                    break;
                case "password":
                    password = entry.Value.AsString();
                    break;
                default:
                    throw new ConfigException(entry.Value.Position, $"seams: unknown field \"{entry.Key}\"");
            }
        }
        return new SeamsOptions(true, port, account, user, password);
    }
}
