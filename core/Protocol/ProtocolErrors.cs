namespace Nats.Core.Protocol;

/// <summary>The exact <c>-ERR</c> texts nats-server sends, which clients match on.</summary>
public static class ProtocolErrors
{
    /// <summary>Something that is not a protocol operation; the connection is closed.</summary>
    public const string UnknownOperation = "Unknown Protocol Operation";
    /// <summary>A message larger than max_payload; the connection is closed.</summary>
    public const string MaxPayload = "Maximum Payload Violation";
    /// <summary>A control line longer than max_control_line; the connection is closed.</summary>
    public const string MaxControlLine = "maximum control line exceeded";
    /// <summary>Authentication failed or is missing; the connection is closed.</summary>
    public const string AuthorizationViolation = "Authorization Violation";
    /// <summary>No CONNECT within the authorization timeout; the connection is closed.</summary>
    public const string AuthenticationTimeout = "Authentication Timeout";
    /// <summary>The user's authorization expired; the connection is closed.</summary>
    public const string AuthenticationExpired = "User Authentication Expired";
    /// <summary>The user's credentials were revoked (a JWT revocation); the connection is closed.</summary>
    public const string AuthenticationRevoked = "User Authentication Revoked";
    /// <summary>A SUB with an invalid subject.</summary>
    public const string InvalidSubject = "Invalid Subject";
    /// <summary>A PUB to an invalid subject in pedantic mode.</summary>
    public const string InvalidPublishSubject = "Invalid Publish Subject";
    /// <summary>Too many PINGs went unanswered; the connection is closed.</summary>
    public const string StaleConnection = "Stale Connection";
    /// <summary>nats-server's text for a slow consumer (it closes without sending it to the client).</summary>
    public const string SlowConsumer = "Slow Consumer";
    /// <summary>The server is at max_connections; the new connection is closed.</summary>
    public const string MaxConnections = "maximum connections exceeded";
    /// <summary>A client binding to an account at its max_connections; the connection is closed.</summary>
    public const string MaxAccountConnections = "maximum account active connections exceeded";
    /// <summary>A SUB beyond max_subscriptions.</summary>
    public const string MaxSubscriptions = "maximum subscriptions exceeded";
    /// <summary>A CONNECT with an unknown protocol level; the connection is closed.</summary>
    public const string InvalidClientProtocol = "invalid client protocol";
    /// <summary>A CONNECT asking for no_responders without headers; the connection is closed.</summary>
    public const string NoRespondersRequiresHeaders = "no responders requires headers support";
    /// <summary>A plain connection where TLS is required.</summary>
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
