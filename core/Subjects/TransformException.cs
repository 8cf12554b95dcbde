namespace Nats.Core.Subjects;

/// <summary>
/// A subject transform (mapping, import <c>to</c>, stream transform) that cannot be built; the
/// message is nats-server's (<c>invalid subject</c>, or <c>invalid mapping destination: … in &lt;token&gt;</c>).
/// </summary>
public sealed class TransformException : ArgumentException
{
    private const string Invalid = "invalid mapping destination";

    /// <summary>Creates the exception with nats-server's error text.</summary>
    public TransformException(string message)
        : base(message)
    {
    }

    internal static TransformException BadSubject() => new("invalid subject");

    internal static TransformException NotEnoughArgs(string token) => In("not enough arguments passed to the function", token);

    internal static TransformException TooManyArgs(string token) => In("too many arguments passed to the function", token);

    internal static TransformException InvalidArg(string token) => In("function argument is invalid or in the wrong format", token);

    internal static TransformException UnknownFunction(string token) => In("unknown function", token);

    internal static TransformException IndexOutOfRange(string token) => In("wildcard index out of range", token);

    internal static TransformException NotUsingAllWildcards(string destination) => In("not using all of the token wildcard(s)", destination);

    internal static TransformException OnlyWildcardForImport(string token) =>
        In("the only mapping function allowed for import transforms is {{Wildcard()}}", token);

    private static TransformException In(string what, string token) => new($"{Invalid}: {what} in {token}");
}
