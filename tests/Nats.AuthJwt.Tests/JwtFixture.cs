using Nats.AuthJwt.Auth;
using Nats.AuthJwt.Jwt;
using Nats.AuthJwt.Jwt.Claims;
using Nats.Core.Security;

namespace Nats.AuthJwt.Tests;

/// <summary>A fresh operator, account and user with their keys, and JWTs encoded from them, for one test.</summary>
internal sealed class JwtFixture : IDisposable
{
    public NKeyPair Operator { get; } = NKeyPair.Create(NKeyPrefix.Operator);

    public NKeyPair Account { get; } = NKeyPair.Create(NKeyPrefix.Account);

    public NKeyPair User { get; } = NKeyPair.Create(NKeyPrefix.User);

    public NKeyPair SigningKey { get; } = NKeyPair.Create(NKeyPrefix.Account);

    public OperatorClaims OperatorClaims()
    {
        var op = new OperatorClaims { Subject = Operator.PublicKey, Name = "op" };
        JwtCodec.Encode(op, Operator);
        return op;
    }

    public AccountClaims NewAccount(Action<AccountClaims>? configure = null)
    {
        var account = AccountClaims.Create(Account.PublicKey);
        account.Name = "acct";
        configure?.Invoke(account);
        return account;
    }

    public string AccountJwt(Action<AccountClaims>? configure = null) => JwtCodec.Encode(NewAccount(configure), Operator);

    public string UserJwt(Action<UserClaims>? configure = null, NKeyPair? signer = null, DateTimeOffset? issuedAt = null)
    {
        var user = UserClaims.Create(User.PublicKey);
        user.Name = "alice";
        configure?.Invoke(user);
        return JwtCodec.Encode(user, signer ?? Account, issuedAt);
    }

    public string Sign(string nonce) => System.Buffers.Text.Base64Url.EncodeToString(User.Sign(System.Text.Encoding.ASCII.GetBytes(nonce)));

    public UserJwtCheck Check(string accountJwt, IReadOnlySet<string>? pinned = null)
    {
        var trust = TrustedOperators.Create([OperatorClaims()]);
        return new UserJwtCheck(trust, new StaticAccounts(accountJwt), pinned);
    }

    public UserJwtRequest Request(string userJwt, string nonce = "abcdefghijklmno", string? signature = null) => new()
    {
        Jwt = userJwt,
        Nonce = System.Text.Encoding.ASCII.GetBytes(nonce),
        Signature = signature ?? Sign(nonce),
        RemoteAddress = System.Net.IPAddress.Loopback,
    };

    public void Dispose()
    {
        Operator.Dispose();
        Account.Dispose();
        User.Dispose();
        SigningKey.Dispose();
    }
}

/// <summary>An account lookup over fixed JWTs, verified as a resolver's answer would be.</summary>
internal sealed class StaticAccounts(params string[] jwts) : IAccountClaimsLookup
{
    public ValueTask<AccountLookup> LookupAsync(string accountPublicKey, CancellationToken cancellationToken)
    {
        foreach (var jwt in jwts)
        {
            // Decoded without the time checks: a registered account stays known after it expires.
            var claims = JwtCodec.DecodeAccountClaims(jwt);
            if (claims.Subject == accountPublicKey)
            {
                return ValueTask.FromResult(AccountLookup.Found(claims));
            }
        }
        return ValueTask.FromResult(AccountLookup.Missing("account missing"));
    }
}
