using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Nats.TestSupport;

namespace Nats.Leafnode.Tests.Links;

/// <summary>
/// A leaf link's notices as nats-server 2.9.10 prints them: the link, its <c>" - "</c> separator,
/// then the text (<c>127.0.0.1:50048 - lid:4 - Leafnode connection created</c>,
/// <c>… - Leafnode connection created for account: $G</c> on the soliciting side,
/// <c>… - Leafnode connection closed: Client Closed account: $G</c>).
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class LeafLogTests
{
    // "[Information] " (the level ListLoggerProvider.Texts starts with) and the leaf connection's prefix, with the peer's name once known.
    private const string Link = @"^\[Information\] 127\.0\.0\.1:\d+ - lid:\d+( - ""[^""]+"")? - ";

    [Test]
    public async Task A_leaf_link_logs_its_creation_and_its_close_with_the_account()
    {
        var port = FreePorts.Take();
        using var hubLog = new ListLoggerProvider(LogLevel.Information);
        using var leafLog = new ListLoggerProvider(LogLevel.Information);
        await using var hub = await OurServer.StartAsync($"leafnodes {{ listen: \"127.0.0.1:{port}\" }}", hubLog);
        var leaf = await OurServer.StartAsync($"leafnodes {{ remotes: [ {{ url: \"nats-leaf://127.0.0.1:{port}\" }} ] }}", leafLog);
        try
        {
            await Leaf.UntilAsync(() => hub.LeafCount == 1 && leaf.LeafCount == 1, "the leaf connects");
            await LineAsync(hubLog, Link + "Leafnode connection created$");
            await LineAsync(leafLog, Link + @"Leafnode connection created for account: \$G$");
        }
        finally
        {
            await leaf.DisposeAsync();
        }
        await LineAsync(hubLog, Link + @"Leafnode connection closed: [A-Za-z ]+ account: \$G$");
        // The lines are the plugin's [LoggerMessage] definitions: its event ids (700-799), not an ad hoc call's 0.
        Assert.That(hubLog.Events.Where(e => e.Message.Contains("Leafnode connection ", StringComparison.Ordinal)).Select(e => e.EventId),
            Is.EquivalentTo(new[] { 720, 722 }));
    }

    private static Task LineAsync(ListLoggerProvider log, string pattern) =>
        Eventually.TrueAsync(() => log.Texts.Any(l => Regex.IsMatch(l, pattern)), $"a line like {pattern}", TimeSpan.FromSeconds(10));
}
