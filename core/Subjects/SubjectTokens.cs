namespace Nats.Core.Subjects;

/// <summary>Token counting and indexing on UTF-8 subjects.</summary>
public static class SubjectTokens
{
    /// <summary>The number of tokens: separators + 1, or 0 for the empty subject.</summary>
    public static int Count(ReadOnlySpan<byte> subject) =>
        subject.IsEmpty ? 0 : subject.Count(SubjectValidator.Separator) + 1;

    /// <inheritdoc cref="Count(ReadOnlySpan{byte})"/>
    public static int Count(string subject) =>
        string.IsNullOrEmpty(subject) ? 0 : subject.AsSpan().Count('.') + 1;

    /// <summary>
    /// The token at a one-based <paramref name="index"/> (as nats-server's tokenAt), or an empty
    /// span when there is no such token.
    /// </summary>
    public static ReadOnlySpan<byte> TokenAt(ReadOnlySpan<byte> subject, int index)
    {
        if (index < 1)
        {
            return default;
        }
        var i = 1;
        foreach (var token in new SubjectTokenizer(subject))
        {
            if (i++ == index)
            {
                return token;
            }
        }
        return default;
    }

    /// <inheritdoc cref="TokenAt(ReadOnlySpan{byte}, int)"/>
    public static string TokenAt(string subject, int index)
    {
        ArgumentNullException.ThrowIfNull(subject);
        if (index < 1)
        {
            return string.Empty;
        }
        var i = 1;
        foreach (var range in subject.AsSpan().Split('.'))
        {
            if (i++ == index)
            {
                return subject[range];
            }
        }
        return string.Empty;
    }
}
