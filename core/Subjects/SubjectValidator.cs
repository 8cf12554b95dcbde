using System.Buffers;
using System.Text.Unicode;

namespace Nats.Core.Subjects;

/// <summary>
/// Subject syntax as nats-server defines it. A subject is tokens separated by <c>.</c>; no token
/// may be empty. <c>*</c> (one token) and <c>&gt;</c> (one or more trailing tokens) are wildcards
/// only when they form a whole token: <c>foo*</c> or <c>&gt;bar</c> are ordinary literal tokens.
/// <c>&gt;</c> must be the last token. Whitespace (space, tab, CR, LF, form feed) is not allowed.
/// </summary>
/// <remarks>Every method works on UTF-8 bytes; the string overloads encode without allocating.</remarks>
public static class SubjectValidator
{
    /// <summary>The token separator.</summary>
    public const byte Separator = (byte)'.';

    /// <summary>The single-token wildcard.</summary>
    public const byte PartialWildcard = (byte)'*';

    /// <summary>The trailing multi-token wildcard.</summary>
    public const byte FullWildcard = (byte)'>';

    // The exact set nats-server rejects (isValidSubject): vertical tab, for one, is allowed.
    private static readonly SearchValues<byte> s_whitespace = SearchValues.Create(" \t\n\f\r"u8);
    private static readonly SearchValues<byte> s_wildcards = SearchValues.Create("*>"u8);

    /// <summary>
    /// True when <paramref name="subject"/> is a valid subject, wildcards allowed (what SUB accepts).
    /// </summary>
    /// <param name="subject">UTF-8 subject.</param>
    /// <param name="checkRunes">Also reject NUL bytes, invalid UTF-8 and U+FFFD, as nats-server does for subjects it did not parse itself.</param>
    public static bool IsValidSubject(ReadOnlySpan<byte> subject, bool checkRunes = false)
    {
        if (subject.IsEmpty)
        {
            return false;
        }
        if (checkRunes && !HasValidRunes(subject))
        {
            return false;
        }
        // Whitespace is rejected in every token, so one vectorized scan of the whole subject
        // replaces nats-server's per-token check.
        if (subject.IndexOfAny(s_whitespace) >= 0)
        {
            return false;
        }
        return HasValidTokens(subject);
    }

    /// <inheritdoc cref="IsValidSubject(ReadOnlySpan{byte}, bool)"/>
    public static bool IsValidSubject(string subject, bool checkRunes = false)
    {
        using var utf8 = new Utf8Scratch(subject, stackalloc byte[Utf8Scratch.StackSize]);
        return IsValidSubject(utf8.Bytes, checkRunes);
    }

    /// <summary>
    /// True when no token is empty and none is a wildcard. Like nats-server's
    /// IsValidLiteralSubject this does not look for whitespace; use
    /// <see cref="IsValidPublishSubject(ReadOnlySpan{byte})"/> for the full check.
    /// </summary>
    public static bool IsValidLiteralSubject(ReadOnlySpan<byte> subject)
    {
        foreach (var token in new SubjectTokenizer(subject))
        {
            if (token.IsEmpty || IsWildcardToken(token))
            {
                return false;
            }
        }
        return true;
    }

    /// <inheritdoc cref="IsValidLiteralSubject(ReadOnlySpan{byte})"/>
    public static bool IsValidLiteralSubject(string subject)
    {
        using var utf8 = new Utf8Scratch(subject, stackalloc byte[Utf8Scratch.StackSize]);
        return IsValidLiteralSubject(utf8.Bytes);
    }

    /// <summary>True when the subject is valid and has no wildcard token (what PUB accepts).</summary>
    public static bool IsValidPublishSubject(ReadOnlySpan<byte> subject) => IsValidSubject(subject) && !HasWildcard(subject);

    /// <inheritdoc cref="IsValidPublishSubject(ReadOnlySpan{byte})"/>
    public static bool IsValidPublishSubject(string subject)
    {
        using var utf8 = new Utf8Scratch(subject, stackalloc byte[Utf8Scratch.StackSize]);
        return IsValidPublishSubject(utf8.Bytes);
    }

    /// <summary>
    /// True when some token is exactly <c>*</c> or <c>&gt;</c>. Does not validate the subject.
    /// </summary>
    public static bool HasWildcard(ReadOnlySpan<byte> subject)
    {
        var i = 0;
        while (true)
        {
            var k = subject[i..].IndexOfAny(s_wildcards);
            if (k < 0)
            {
                return false;
            }
            i += k;
            if ((i == 0 || subject[i - 1] == Separator) && (i + 1 == subject.Length || subject[i + 1] == Separator))
            {
                return true;
            }
            i++;
        }
    }

    /// <inheritdoc cref="HasWildcard(ReadOnlySpan{byte})"/>
    public static bool HasWildcard(string subject)
    {
        using var utf8 = new Utf8Scratch(subject, stackalloc byte[Utf8Scratch.StackSize]);
        return HasWildcard(utf8.Bytes);
    }

    /// <summary>True when no token is a wildcard (the negation of <see cref="HasWildcard(ReadOnlySpan{byte})"/>).</summary>
    public static bool IsLiteral(ReadOnlySpan<byte> subject) => !HasWildcard(subject);

    /// <inheritdoc cref="IsLiteral(ReadOnlySpan{byte})"/>
    public static bool IsLiteral(string subject) => !HasWildcard(subject);

    /// <summary>True when the token is exactly <c>*</c>.</summary>
    public static bool IsPartialWildcard(ReadOnlySpan<byte> token) => token.Length == 1 && token[0] == PartialWildcard;

    /// <summary>True when the token is exactly <c>&gt;</c>.</summary>
    public static bool IsFullWildcard(ReadOnlySpan<byte> token) => token.Length == 1 && token[0] == FullWildcard;

    /// <summary>True when the token is exactly <c>*</c> or <c>&gt;</c>.</summary>
    public static bool IsWildcardToken(ReadOnlySpan<byte> token) =>
        token.Length == 1 && (token[0] == PartialWildcard || token[0] == FullWildcard);

    /// <summary>
    /// The structural part of validity: no empty token, and <c>&gt;</c> only as the last token.
    /// This is what the sublist itself requires of a subscription subject.
    /// </summary>
    internal static bool HasValidTokens(ReadOnlySpan<byte> subject)
    {
        var rest = subject;
        while (true)
        {
            var dot = rest.IndexOf(Separator);
            if (dot < 0)
            {
                return !rest.IsEmpty;
            }
            if (dot == 0 || (dot == 1 && rest[0] == FullWildcard))
            {
                return false;
            }
            rest = rest[(dot + 1)..];
        }
    }

    /// <summary>
    /// Cheap check a published subject must pass before a sublist lookup: not empty and no
    /// empty token. nats-server returns no match for such subjects, even to a <c>&gt;</c> subscriber.
    /// </summary>
    internal static bool HasNoEmptyTokens(ReadOnlySpan<byte> subject) =>
        !subject.IsEmpty
        && subject[0] != Separator
        && subject[^1] != Separator
        && subject.IndexOf(".."u8) < 0;

    private static bool HasValidRunes(ReadOnlySpan<byte> subject)
    {
        // Go ranges over the string and rejects utf8.RuneError, which is both what an
        // invalid sequence decodes to and the literal U+FFFD (EF BF BD): reject both.
        return subject.IndexOf((byte)0) < 0
            && Utf8.IsValid(subject)
            && subject.IndexOf("\uFFFD"u8) < 0;
    }
}
