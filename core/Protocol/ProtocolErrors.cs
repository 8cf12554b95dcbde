namespace Nats.Core.Protocol;

/// <summary>The exact <c>-ERR</c> texts nats-server sends, which clients match on.</summary>
public static class ProtocolErrors
{
    public const string UnknownOperation = "Unknown Protocol Operation";
    public const string MaxPayload = "Maximum Payload Violation";
    public const string MaxControlLine = "maximum control line exceeded";
    public const string AuthorizationViolation = "Authorization Violation";
    public const string AuthenticationTimeout = "Authentication Timeout";
    public const string AuthenticationExpired = "User Authentication Expired";
    public const string InvalidSubject = "Invalid Subject";
    public const string InvalidPublishSubject = "Invalid Publish Subject";
    public const string StaleConnection = "Stale Connection";
    public const string SlowConsumer = "Slow Consumer";
    public const string MaxConnections = "maximum connections exceeded";
    public const string MaxSubscriptions = "maximum subscriptions exceeded";
    public const string InvalidClientProtocol = "invalid client protocol";
    public const string NoRespondersRequiresHeaders = "no responders requires headers support";
    public const string SecureConnectionRequired = "Secure Connection - TLS Required";

    /// <summary>Text for a publish denied by permissions.</summary>
    public static string PublishViolation(ReadOnlySpan<byte> subject) =>
        $"Permissions Violation for Publish to \"{System.Text.Encoding.UTF8.GetString(subject)}\"";

    /// <summary>Text for a reply publish denied by permissions.</summary>
    public static string PublishReplyViolation(ReadOnlySpan<byte> reply) =>
        $"Permissions Violation for Publish with Reply of \"{System.Text.Encoding.UTF8.GetString(reply)}\"";

    /// <summary>Text for a subscription over max_subscription_tokens (nats-server words it as a permissions violation).</summary>
    public static string SubscriptionTooManyTokens(ReadOnlySpan<byte> subject) =>
        $"Permissions Violation for Subscription to \"{System.Text.Encoding.UTF8.GetString(subject)}\", too many tokens";

    /// <summary>Text for a subscription denied by permissions.</summary>
    public static string SubscribeViolation(string subject, string? queue) => queue is null
        ? $"Permissions Violation for Subscription to \"{subject}\""
        : $"Permissions Violation for Subscription to \"{subject}\" using queue \"{queue}\"";
}
