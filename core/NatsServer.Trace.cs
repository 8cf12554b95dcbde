using Microsoft.Extensions.Logging;

namespace Nats.Core;

public sealed partial class NatsServer
{
    /// <summary>
    /// True when connections trace their protocol lines (<c>-V</c>/<c>trace</c>, live on
    /// reload) and the log writes trace lines. Read on every delivery, so the option is tested
    /// first: with tracing off this costs two field loads.
    /// </summary>
    internal bool TraceProtocol => _options.Logging.Trace && ClientLogger.IsEnabled(LogLevel.Trace);
}
