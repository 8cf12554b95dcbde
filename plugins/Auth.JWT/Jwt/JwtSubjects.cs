namespace Nats.AuthJwt.Jwt;

/// <summary>jwt's <c>Subject</c> and <c>RenamingSubject</c> checks: lighter than the server's subject rules, on purpose.</summary>
public static class JwtSubjects
{
    /// <summary>jwt <c>Subject.Validate</c>: not empty, no spaces, no leading/trailing or double dots.</summary>
    public static void Validate(string? subject, ValidationResults vr)
    {
        var v = subject ?? "";
        if (v.Length == 0)
        {
            vr.AddError("subject cannot be empty");
            return;
        }
        if (v.Contains(' '))
        {
            vr.AddError($"subject \"{v}\" cannot have spaces");
        }
        if (v[0] == '.' || v[^1] == '.')
        {
            vr.AddError($"subject \"{v}\" cannot start or end with a `.`");
        }
        if (v.Contains(".."))
        {
            vr.AddError($"subject \"{v}\" cannot contain consecutive `.`");
        }
    }

    /// <summary>jwt <c>Subject.HasWildCards</c>.</summary>
    public static bool HasWildCards(string? subject)
    {
        var v = subject ?? "";
        return v.EndsWith(".>", StringComparison.Ordinal) || v.Contains(".*.", StringComparison.Ordinal)
            || v.EndsWith(".*", StringComparison.Ordinal) || v.StartsWith("*.", StringComparison.Ordinal)
            || v is "*" or ">";
    }

    /// <summary>jwt <c>Subject.IsContainedIn</c>: a token-wise match of <paramref name="subject"/> against <paramref name="other"/>.</summary>
    public static bool IsContainedIn(string? subject, string? other)
    {
        var otherTokens = (other ?? "").Split('.');
        var myTokens = (subject ?? "").Split('.');
        if (myTokens.Length > otherTokens.Length && otherTokens[^1] != ">")
        {
            return false;
        }
        if (myTokens.Length < otherTokens.Length)
        {
            return false;
        }
        for (var i = 0; i < otherTokens.Length; i++)
        {
            if (i == otherTokens.Length - 1 && otherTokens[i] == ">")
            {
                return true;
            }
            if (otherTokens[i] != myTokens[i] && otherTokens[i] != "*")
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>jwt <c>countTokenWildcards</c>: how many tokens are <c>*</c>.</summary>
    public static int CountTokenWildcards(string? subject)
    {
        var v = subject ?? "";
        return v == "*" ? 1 : v.Split('.').Count(t => t == "*");
    }

    /// <summary>jwt <c>RenamingSubject.Validate</c>: a local subject with <c>$n</c> references into <paramref name="from"/>.</summary>
    public static void ValidateRenaming(string renaming, string? from, ValidationResults vr)
    {
        Validate(renaming, vr);
        if (string.IsNullOrEmpty(from))
        {
            vr.AddError("subject cannot be empty");
        }
        if (renaming.Contains(' '))
        {
            vr.AddError($"subject \"{renaming}\" cannot have spaces");
        }
        static bool MatchesSuffix(string? s) => s == ">" || (s ?? "").EndsWith(".>", StringComparison.Ordinal);
        if (MatchesSuffix(renaming) != MatchesSuffix(from))
        {
            vr.AddError("both, renaming subject and subject, need to end or not end in >");
        }
        var fromCount = CountTokenWildcards(from);
        var refCount = 0;
        foreach (var token in renaming.Split('.'))
        {
            if (token == "*")
            {
                refCount++;
            }
            if (token.Length < 2)
            {
                continue;
            }
            if (token[0] == '$' && int.TryParse(token.AsSpan(1), System.Globalization.NumberStyles.AllowLeadingSign, null, out var index))
            {
                if (index > fromCount)
                {
                    vr.AddError($"Reference ${index} in \"{renaming}\" reference * in \"{from}\" that do not exist");
                }
                else
                {
                    refCount++;
                }
            }
        }
        if (refCount != fromCount)
        {
            vr.AddError("subject does not contain enough * or reference wildcards $[0-9]");
        }
    }

    /// <summary>jwt <c>RenamingSubject.ToSubject</c>: <c>$n</c> references become <c>*</c>.</summary>
    public static string RenamingToSubject(string renaming)
    {
        if (!renaming.Contains('$'))
        {
            return renaming;
        }
        var tokens = renaming.Split('.');
        for (var i = 0; i < tokens.Length; i++)
        {
            if (tokens[i].Length > 1 && tokens[i][0] == '$'
                && int.TryParse(tokens[i].AsSpan(1), System.Globalization.NumberStyles.AllowLeadingSign, null, out _))
            {
                tokens[i] = "*";
            }
        }
        return string.Join('.', tokens);
    }
}
