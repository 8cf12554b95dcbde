using Nats.Core.Config;
using Nats.Core.Config.Binding;

namespace Nats.TestSupport;

/// <summary>Server options from config text, as the host reads a file, for in-process servers.</summary>
public static class TestConfig
{
    /// <summary>
    /// Parses and binds <paramref name="config"/> (errors name <paramref name="fileName"/>), then puts
    /// the client listener on 127.0.0.1 and a random free port.
    /// </summary>
    public static ServerOptions Options(string config, string fileName = "test.conf")
    {
        var options = ServerOptionsBinder.Bind(ConfParser.ParseString(config, fileName)).Options;
        options.Host = "127.0.0.1";
        options.Port = -1;
        return options;
    }
}
