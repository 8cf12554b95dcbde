using Nats.Core.Connections;
using Nats.Core.Config.Binding;

namespace Nats.Core.Tests.Config.Binding;

/// <summary>Go's host:port splitting and duration spelling, which nats-server's messages rely on.</summary>
[TestFixture]
public sealed class BindingHelpersTests
{
    [TestCase("127.0.0.1:4222", "127.0.0.1", 4222)]
    [TestCase("[::1]:4222", "::1", 4222)]
    [TestCase(":4222", "", 4222)]
    [TestCase("localhost:-1", "localhost", -1)]
    [TestCase("host:+5", "host", 5)]
    public void HostPort_splits_like_net_SplitHostPort(string text, string host, int port)
    {
        Assert.That(HostPort.TryParse(text, out var value, out var error), Is.True, error);
        Assert.That(value, Is.EqualTo(new HostPort(host, port)));
    }

    [TestCase("4222", "could not parse address string \"4222\"")]
    [TestCase("a:b:1", "could not parse address string \"a:b:1\"")]
    [TestCase("[::1:4222", "could not parse address string \"[::1:4222\"")]
    [TestCase("host:", "could not parse port \"\"")]
    [TestCase("host:4x", "could not parse port \"4x\"")]
    public void HostPort_rejects_what_nats_server_rejects(string text, string message)
    {
        Assert.That(HostPort.TryParse(text, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(message));
    }

    [TestCase(0L, "0s")]
    [TestCase(100L, "100ns")]
    [TestCase(1_500L, "1.5µs")]
    [TestCase(1_500_000L, "1.5ms")]
    [TestCase(5_000_000_000L, "5s")]
    [TestCase(29_500_000_000L, "29.5s")]
    [TestCase(120_000_000_000L, "2m0s")]
    [TestCase(3_600_000_000_000L, "1h0m0s")]
    [TestCase(5_430_000_000_000L, "1h30m30s")]
    [TestCase(-2_000_000_000L, "-2s")]
    public void Durations_are_spelled_like_Go(long nanoseconds, string text) =>
        Assert.That(GoText.Duration(TimeSpan.FromTicks(nanoseconds / 100)), Is.EqualTo(text));
}
