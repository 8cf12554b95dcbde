using System.Text.RegularExpressions;

namespace Nats.AuthJwt.Creds;

/// <summary>
/// jwt's decorated-file parsing (<c>ParseDecoratedJWT</c>, <c>ParseDecoratedNKey</c>): blocks
/// framed by lines of three or more dashes, <c>-----BEGIN NATS USER JWT-----</c> …
/// <c>------END NATS USER JWT------</c>, the first block the JWT, the second the seed.
/// Text without such blocks is taken as the bare JWT.
/// </summary>
public static partial class DecoratedJwt
{
    // jwt's userConfigRE, unchanged: a dashed line, one token of [\w-.=], a dashed line.
    [GeneratedRegex(@"\s*(?:(?:[-]{3,}.*[-]{3,}\r?\n)([\w\-.=]+)(?:\r?\n[-]{3,}.*[-]{3,}(\r?\n|\z)))")]
    private static partial Regex Block();

    /// <summary>The tokens of every block, in order.</summary>
    public static IReadOnlyList<string> Blocks(string contents) =>
        [.. Block().Matches(contents).Select(m => m.Groups[1].Value)];

    /// <summary>jwt <c>ParseDecoratedJWT</c>: the first block, or the whole text when there is none.</summary>
    public static string Extract(string contents)
    {
        var blocks = Blocks(contents);
        return blocks.Count == 0 ? contents : blocks[0];
    }
}
