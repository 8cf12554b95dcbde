using System.Text.Json;

namespace Nats.Interop.Tests.Infrastructure;

/// <summary>
/// The final JSON line a client scenario prints. Every scenario reports <c>ok</c> (it ran to the
/// end without an unexpected client error) and <c>error</c> (the client's message when not), plus
/// its own observations under names shared by the js and C implementations, so one test body
/// asserts on both clients.
/// </summary>
public sealed class ScenarioResult(JsonElement root, string rawLine, string output)
{
    public JsonElement Root { get; } = root;
    public string RawLine { get; } = rawLine;

    /// <summary>Everything the client printed (stdout and stderr), for failure messages.</summary>
    public string Output { get; } = output;

    public bool Ok => Bool("ok");

    public string? Error => Root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;

    /// <summary>Fails the test with the client's own error and output unless the scenario reported ok.</summary>
    public ScenarioResult AssertOk()
    {
        Assert.That(Ok, Is.True, $"client scenario failed: {Error}\nresult: {RawLine}\noutput:\n{ServerUnderTest.Tail(Output)}");
        return this;
    }

    public JsonElement Get(string name) =>
        Root.TryGetProperty(name, out var value)
            ? value
            : throw new AssertionException($"client result has no '{name}': {RawLine}");

    public bool Bool(string name) => Root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    public long Long(string name) => Get(name).GetInt64();

    public string? String(string name) => Get(name).ValueKind == JsonValueKind.Null ? null : Get(name).GetString();

    public IReadOnlyList<string> Strings(string name) =>
        Get(name).EnumerateArray().Select(e => e.GetString() ?? "").ToList();

    public IReadOnlyList<long> Longs(string name) =>
        Get(name).EnumerateArray().Select(e => e.GetInt64()).ToList();

    public override string ToString() => RawLine;
}
