namespace Nats.Core.Subjects;

/// <summary>
/// Walks the tokens of a subject without allocating: <c>foreach (var token in new SubjectTokenizer(subject))</c>.
/// Empty tokens are yielded as they are (<c>"a..b"</c> gives <c>a</c>, empty, <c>b</c>; the empty
/// subject gives one empty token), so callers can reject them.
/// </summary>
public ref struct SubjectTokenizer
{
    private ReadOnlySpan<byte> _rest;
    private bool _done;

    /// <summary>Starts a walk over <paramref name="subject"/>.</summary>
    public SubjectTokenizer(ReadOnlySpan<byte> subject)
    {
        _rest = subject;
        _done = false;
        Current = default;
    }

    /// <summary>The current token.</summary>
    public ReadOnlySpan<byte> Current { get; private set; }

    /// <summary>Moves to the next token; false when the subject is exhausted.</summary>
    public bool MoveNext()
    {
        if (_done)
        {
            return false;
        }
        var dot = _rest.IndexOf(SubjectValidator.Separator);
        if (dot < 0)
        {
            Current = _rest;
            _rest = default;
            _done = true;
        }
        else
        {
            Current = _rest[..dot];
            _rest = _rest[(dot + 1)..];
        }
        return true;
    }

    /// <summary>Enables <c>foreach</c>.</summary>
    public readonly SubjectTokenizer GetEnumerator() => this;
}
