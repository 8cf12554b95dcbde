namespace Nats.Interop.Tests.Infrastructure;

/// <summary>
/// Two throwaway NATS user nkey pairs (generated once with nkeys.js for this suite; they
/// protect nothing). .NET has no built-in Ed25519, so generating them per test would need an
/// extra package; a fixed pair tests the same server code path.
/// </summary>
public static class TestNKeys
{
    public sealed record Pair(string Seed, string PublicKey);

    /// <summary>The user the server is configured to accept.</summary>
    public static readonly Pair Authorized = new(
        "SUAF6OFN3J676SS73Y2A7P3US6XXVXIEMLC3KIKPIFEOJ3SIFUOZIKIXJA",
        "UB3PL73AN477BKOIV62MIRBSRP6OA3XAEMJKZC6QKO7MNMKRQSOFXTPL");

    /// <summary>A valid user key the server does not know: its signature is fine, its identity is not.</summary>
    public static readonly Pair Unknown = new(
        "SUAJH6HD4GQKFHNVC53HW5IIZYG3YBY53EHQXO7IOZRVO4CLHXL4GAZ2FU",
        "UALSFZJRMMN7CATA6EXGC6P53XFSUMY6SESBW44AF4EZ736Z3HMPKIB4");

    /// <summary>Writes the seed to a file (libnats reads seeds from files) and returns its path.</summary>
    public static string WriteSeed(Pair pair, string dir, string name)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, pair.Seed + "\n");
        return path;
    }
}
