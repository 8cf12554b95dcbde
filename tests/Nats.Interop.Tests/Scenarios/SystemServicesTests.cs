using System.Text.Json;
using Nats.Interop.Tests.Infrastructure;
using Nats.TestSupport;

namespace Nats.Interop.Tests.Scenarios;

/// <summary>
/// $SYS across a cluster of our server and the reference nats-server: a PING sent on either
/// is answered by both, each answer in nats-server's STATSZ shape.
/// </summary>
[Category("Cluster")]
[CancelAfter(BudgetMs)]
public sealed class SystemServicesTests : InteropTest
{
    private const string SystemUser = """
        accounts { SYS { users: [{user: sys, password: pw}] } }
        system_account: SYS

        """;

    private const string SysConnect = """{"verbose":false,"pedantic":false,"headers":true,"protocol":1,"user":"sys","pass":"pw"}""";

    [Test]
    public async Task APingIsAnsweredByOurServerAndTheReferenceServer()
    {
        string[] templates = [ServerCommand.UnderTest, ServerCommand.Reference];
        var cluster = await Scope.StartClusterAsync(templates, ClusterTopology.FullMesh, SystemUser);
        foreach (var member in cluster.Members)
        {
            var answers = await PingAsync(member.Port, expected: 2);
            Assert.That(answers.Select(a => a.GetProperty("server").GetProperty("name").GetString()), Is.EquivalentTo(new[] { "n1", "n2" }),
                $"PING sent to {member.Name} ({member.Template})");
            foreach (var answer in answers)
            {
                Assert.That(answer.GetProperty("server").GetProperty("cluster").GetString(), Is.EqualTo(ClusterUnderTest.ClusterName));
                Assert.That(answer.GetProperty("statsz").GetProperty("routes").GetArrayLength(), Is.EqualTo(1));
            }
            // Same shape: every field the reference writes, ours writes too; the statistics in the
            // same order (the server block's order moved in 2.10, whose layout ours follows).
            var ours = answers.Single(a => a.GetProperty("server").GetProperty("name").GetString() == "n1");
            var reference = answers.Single(a => a.GetProperty("server").GetProperty("name").GetString() == "n2");
            Assert.That(Keys(ours.GetProperty("server")), Is.SupersetOf(Keys(reference.GetProperty("server"))));
            var referenceStats = Keys(reference.GetProperty("statsz"));
            var ourStats = Keys(ours.GetProperty("statsz"));
            Assert.That(ourStats.Where(referenceStats.Contains).ToList(), Is.EqualTo(referenceStats), $"statsz: ours {string.Join(",", ourStats)}");
        }
    }

    private static List<string> Keys(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];

    /// <summary>Sends <c>$SYS.REQ.SERVER.PING</c> until <paramref name="expected"/> servers answered (interest travels over routes asynchronously).</summary>
    private static async Task<List<JsonElement>> PingAsync(int port, int expected)
    {
        await using var client = await RawClient.ConnectAndHandshakeAsync(port, SysConnect);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        for (var attempt = 1; ; attempt++)
        {
            var inbox = $"ping.{attempt}";
            await client.SendAsync($"SUB {inbox} {attempt}\r\nPUB $SYS.REQ.SERVER.PING {inbox} 0\r\n\r\n");
            var text = await client.DrainAsync(TimeSpan.FromMilliseconds(700));
            var answers = ParseMessages(text, inbox);
            if (answers.Count >= expected || DateTime.UtcNow > deadline)
            {
                return answers;
            }
        }
    }

    private static List<JsonElement> ParseMessages(string text, string subject)
    {
        var answers = new List<JsonElement>();
        var lines = text.Split("\r\n");
        for (var i = 0; i < lines.Length - 1; i++)
        {
            if (lines[i].StartsWith($"MSG {subject} ", StringComparison.Ordinal))
            {
                answers.Add(JsonDocument.Parse(lines[i + 1]).RootElement.Clone());
            }
        }
        return answers;
    }
}
