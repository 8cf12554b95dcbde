using System.Text;

namespace Nats.Core.Subjects;

/// <summary>
/// Maps subjects from one pattern to another by wildcard position, as imports with
/// <c>to</c> and <c>prefix</c> do: the tokens a message matched with <c>*</c> fill the
/// destination's <c>*</c> tokens in order, and what <c>&gt;</c> matched replaces its <c>&gt;</c>.
/// </summary>
public sealed class SubjectTransform
{
    private readonly string[] _source;
    private readonly string[] _destination;

    private SubjectTransform(string[] source, string[] destination)
    {
        _source = source;
        _destination = destination;
    }

    /// <summary>Creates a transform; throws when the destination needs wildcards the source lacks.</summary>
    public static SubjectTransform Create(string source, string destination)
    {
        var from = source.Split('.');
        var to = destination.Split('.');
        var sourceStars = from.Count(t => t == "*");
        var destinationStars = to.Count(t => t == "*");
        if (destinationStars > sourceStars || (to[^1] == ">" && from[^1] != ">"))
        {
            throw new ArgumentException($"subject mapping from \"{source}\" to \"{destination}\" uses wildcards the source does not have");
        }
        return new SubjectTransform(from, to);
    }

    /// <summary>A transform that puts <paramref name="prefix"/> in front of every subject.</summary>
    public static SubjectTransform Prefix(string source, string prefix) =>
        Create(source, prefix.TrimEnd('.') + "." + source);

    /// <summary>Maps a subject that matches the source pattern.</summary>
    public byte[] Apply(ReadOnlySpan<byte> subject)
    {
        var tokens = Encoding.UTF8.GetString(subject).Split('.');
        var stars = new List<string>();
        string? tail = null;
        for (var i = 0; i < _source.Length && i < tokens.Length; i++)
        {
            if (_source[i] == "*")
            {
                stars.Add(tokens[i]);
            }
            else if (_source[i] == ">")
            {
                tail = string.Join('.', tokens, i, tokens.Length - i);
                break;
            }
        }
        var result = new StringBuilder();
        var star = 0;
        foreach (var token in _destination)
        {
            if (result.Length > 0)
            {
                result.Append('.');
            }
            result.Append(token switch
            {
                "*" => stars[star++],
                ">" => tail,
                _ => token,
            });
        }
        return Encoding.UTF8.GetBytes(result.ToString());
    }
}
