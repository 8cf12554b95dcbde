using Microsoft.Extensions.Logging;
using Nats.Core.Config;
using Nats.Core.Config.Binding;

namespace Nats.Core.Tests.Tls;

/// <summary>Servers configured from nats-server config text, on 127.0.0.1 and random ports.</summary>
internal static class TlsTestSupport
{
    /// <summary>Binds <paramref name="conf"/> as the host would, then moves the server to 127.0.0.1 and a random port.</summary>
    public static ServerOptions Options(string conf)
    {
        var options = ServerOptionsBinder.Bind(ConfParser.ParseString(conf, "test.conf")).Options;
        options.Host = "127.0.0.1";
        options.Port = -1;
        return options;
    }

    /// <summary>A conf string literal for a path (backslashes and quotes escaped).</summary>
    public static string Q(string path) => "\"" + path.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }
            await Task.Delay(25);
        }
        return condition();
    }

    /// <summary>Polls an asynchronous <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes.</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }
            await Task.Delay(50);
        }
        return await condition();
    }
}
