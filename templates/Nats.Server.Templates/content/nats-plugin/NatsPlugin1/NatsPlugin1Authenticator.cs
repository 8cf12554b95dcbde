using Nats.Core.Plugins;

namespace NatsPlugin1;

/// <summary>Admits clients whose CONNECT carries the configured auth_token.</summary>
public sealed class NatsPlugin1Authenticator : IAuthenticator
{
    private volatile NatsPlugin1Options _options = NatsPlugin1Options.None;

    public string Name => "natsplugin1";

    /// <summary>Swapped whole on reload, so a check never sees half of an old and half of a new section.</summary>
    public NatsPlugin1Options Options { get => _options; set => _options = value; }

    public ValueTask<AuthResult> AuthenticateAsync(ConnectContext context, CancellationToken cancellationToken)
    {
        var options = _options;
        if (options.Token is null || context.Connect.Token is not { Length: > 0 } token)
        {
            return ValueTask.FromResult(AuthResult.NotMine);   // another authenticator's client
        }
        // Null account: the global account ($G).
        return ValueTask.FromResult(token == options.Token
            ? AuthResult.Accept(options.Account, user: "natsplugin1")
            : AuthResult.Deny("unknown token"));
    }
}
