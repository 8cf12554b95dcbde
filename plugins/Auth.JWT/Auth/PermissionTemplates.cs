using System.Text.RegularExpressions;
using Nats.AuthJwt.Jwt.Claims;
using Nats.AuthJwt.Jwt.Model;
using Nats.Core.Subjects;

namespace Nats.AuthJwt.Auth;

/// <summary>
/// nats-server's <c>processUserPermissionsTemplate</c>: a scoped signing key's template with
/// <c>{{name()}}</c>, <c>{{subject()}}</c>, <c>{{account-name()}}</c>, <c>{{account-subject()}}</c>,
/// <c>{{tag(x)}}</c> and <c>{{account-tag(x)}}</c> expanded for one user. Tags expand to every
/// value of <c>x:value</c> tags (a cartesian product when several appear); allow lists drop
/// subjects that come out invalid, deny lists fail on them; an allow list emptied this way is
/// replaced by a deny of <c>&gt;</c>.
/// </summary>
public static partial class PermissionTemplates
{
    /// <summary>nats-server's cap on subjects one template entry may expand to.</summary>
    public const int MaxExpansions = 4096;

    [GeneratedRegex(@"\{\{([^}]+)\}\}")]
    private static partial Regex Mustache();

    /// <summary>Applies <paramref name="template"/> for <paramref name="user"/> of <paramref name="account"/>; a new object, the template is untouched.</summary>
    /// <exception cref="TemplateException">An unknown operation, a tag deny that does not resolve, or too many expansions.</exception>
    public static UserPermissionLimits Apply(UserPermissionLimits template, UserClaims user, AccountClaims account)
    {
        var result = template.CloneLimits();
        var subAllowWasSet = (result.Sub.Allow?.Count ?? 0) > 0;
        var pubAllowWasSet = (result.Pub.Allow?.Count ?? 0) > 0;
        result.Sub.Allow = Expand(result.Sub.Allow, user, account, failOnBadSubject: false);
        result.Sub.Deny = Expand(result.Sub.Deny, user, account, failOnBadSubject: true);
        result.Pub.Allow = Expand(result.Pub.Allow, user, account, failOnBadSubject: false);
        result.Pub.Deny = Expand(result.Pub.Deny, user, account, failOnBadSubject: true);
        if (subAllowWasSet && (result.Sub.Allow?.Count ?? 0) == 0)
        {
            AddUnique(result.Sub.Deny ??= [], ">");
        }
        if (pubAllowWasSet && (result.Pub.Allow?.Count ?? 0) == 0)
        {
            AddUnique(result.Pub.Deny ??= [], ">");
        }
        return result;
    }

    private static List<string>? Expand(List<string>? list, UserClaims user, AccountClaims account, bool failOnBadSubject)
    {
        if (list is null || !list.Exists(s => Mustache().IsMatch(s)))
        {
            return list;
        }
        var emitted = new List<string>(list.Count);
        foreach (var entry in list)
        {
            var tokens = Mustache().Matches(entry).Select(m => m.Value).ToArray();
            var values = new List<string>[tokens.Length];
            var hasTags = false;
            for (var i = 0; i < tokens.Length; i++)
            {
                var op = tokens[i][2..^2].Trim();
                if (op.Equals("name()", StringComparison.OrdinalIgnoreCase))
                {
                    values[i] = [user.Name ?? ""];
                }
                else if (op.Equals("subject()", StringComparison.OrdinalIgnoreCase))
                {
                    values[i] = [user.Subject ?? ""];
                }
                else if (op.Equals("account-name()", StringComparison.OrdinalIgnoreCase))
                {
                    values[i] = [account.Name ?? ""];
                }
                else if (op.Equals("account-subject()", StringComparison.OrdinalIgnoreCase))
                {
                    // A scoped signer always issues with issuer_account set.
                    values[i] = [user.Nats.IssuerAccount ?? ""];
                }
                else if (TagOperation(op) is var (kind, name))
                {
                    hasTags = true;
                    var tags = kind == "account-tag" ? account.Nats.Tags : user.Nats.Tags;
                    var prefix = name.ToLowerInvariant() + ":";
                    var found = (tags ?? []).Where(t => t.StartsWith(prefix, StringComparison.Ordinal)).Select(t => t[prefix.Length..]).ToList();
                    if (found.Count > 0)
                    {
                        values[i] = found;
                    }
                    else if (failOnBadSubject)
                    {
                        throw new TemplateException($"generated invalid subject \"{entry}\": \"{name}\" is not defined");
                    }
                    else
                    {
                        values[i] = [" "]; // an invalid subject, dropped below
                    }
                }
                else
                {
                    throw new TemplateException($"template operation in \"{entry}\": \"{op}\" is not defined");
                }
            }
            if (!hasTags)
            {
                var subject = entry;
                for (var i = 0; i < tokens.Length; i++)
                {
                    subject = subject.Replace(tokens[i], values[i][0], StringComparison.Ordinal);
                }
                Emit(emitted, subject, failOnBadSubject);
                continue;
            }
            var count = 1;
            foreach (var v in values)
            {
                if (count > MaxExpansions / v.Count)
                {
                    throw new TemplateException($"template expansion exceeds limit: {MaxExpansions}");
                }
                count *= v.Count;
            }
            if (emitted.Count > MaxExpansions - count)
            {
                throw new TemplateException($"template expansion exceeds limit: {MaxExpansions}");
            }
            foreach (var combination in CartesianProduct(values))
            {
                var subject = entry;
                for (var i = 0; i < tokens.Length; i++)
                {
                    subject = subject.Replace(tokens[i], combination[i], StringComparison.Ordinal);
                }
                Emit(emitted, subject, failOnBadSubject);
            }
        }
        return emitted;
    }

    private static void Emit(List<string> emitted, string subject, bool failOnBadSubject)
    {
        if (SubjectValidator.IsValidSubject(subject))
        {
            emitted.Add(subject);
        }
        else if (failOnBadSubject)
        {
            throw new TemplateException("generated invalid subject");
        }
    }

    private static (string Kind, string Name)? TagOperation(string op)
    {
        if (op.Length >= 4 && op.StartsWith("tag(", StringComparison.OrdinalIgnoreCase) && op.EndsWith(')'))
        {
            // nats-server trims the lower-case prefix only, so "TAG(x)" keeps its "TAG(" in the name.
            return ("tag", TrimCaseSensitive(op, "tag("));
        }
        if (op.Length >= 12 && op.StartsWith("account-tag(", StringComparison.OrdinalIgnoreCase) && op.EndsWith(')'))
        {
            return ("account-tag", TrimCaseSensitive(op, "account-tag("));
        }
        return null;
    }

    private static string TrimCaseSensitive(string op, string prefix)
    {
        var value = op.StartsWith(prefix, StringComparison.Ordinal) ? op[prefix.Length..] : op;
        return value.EndsWith(')') ? value[..^1] : value;
    }

    private static IEnumerable<string[]> CartesianProduct(List<string>[] values)
    {
        var index = new int[values.Length];
        while (true)
        {
            var combination = new string[values.Length];
            for (var i = 0; i < values.Length; i++)
            {
                combination[i] = values[i][index[i]];
            }
            yield return combination;
            var j = values.Length - 1;
            for (; j >= 0; j--)
            {
                if (++index[j] < values[j].Count)
                {
                    break;
                }
                index[j] = 0;
            }
            if (j < 0)
            {
                yield break;
            }
        }
    }

    private static void AddUnique(List<string> list, string value)
    {
        if (!list.Contains(value))
        {
            list.Add(value);
        }
    }
}

/// <summary>A scoped signing key's template that cannot be applied to a user.</summary>
public sealed class TemplateException(string message) : Exception(message);
