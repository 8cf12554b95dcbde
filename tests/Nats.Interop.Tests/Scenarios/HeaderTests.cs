using System.Text.Json;
using Nats.Interop.Tests.Infrastructure;

namespace Nats.Interop.Tests.Scenarios;

[CancelAfter(BudgetMs)]
public sealed class HeaderTests : InteropTest
{
    [Test]
    public async Task MultiValueHeadersArriveIntact([Values] ClientKind client)
    {
        var server = await Scope.StartServerAsync();

        var result = await Scope.RunClientAsync(client, "headers", Args(("servers", server.Url)));

        result.AssertOk();
        var messages = result.Get("messages").EnumerateArray().ToList();
        Assert.That(messages, Has.Count.EqualTo(2), result.RawLine);
        Assert.Multiple(() =>
        {
            Assert.That(messages[0].GetProperty("payload").GetString(), Is.EqualTo("with-headers"));
            Assert.That(HeadersOf(messages[0]), Is.EquivalentTo(new Dictionary<string, string>
            {
                ["X-Multi"] = "one|two|three",
                ["X-Single"] = "a value with spaces",
            }), result.RawLine);
            // Header-only message: HMSG with an empty body must not lose the headers.
            Assert.That(messages[1].GetProperty("payload").GetString(), Is.Empty);
            Assert.That(HeadersOf(messages[1]), Is.EquivalentTo(new Dictionary<string, string>
            {
                ["X-Only"] = "1",
            }), result.RawLine);
        });
    }

    // Key order may differ between clients (libnats hashes them), so keys are compared as a set;
    // a key's values are joined so their order, which the protocol preserves, is checked too.
    private static Dictionary<string, string> HeadersOf(JsonElement message) =>
        message.GetProperty("headers").EnumerateObject().ToDictionary(
            p => p.Name,
            p => string.Join("|", p.Value.EnumerateArray().Select(v => v.GetString())));
}
