using System.Net;
using Nats.AuthJwt.Auth;
using Nats.AuthJwt.Creds;
using Nats.AuthJwt.Jwt;
using Nats.AuthJwt.Jwt.Claims;
using Nats.AuthJwt.Jwt.Model;
using Nats.Core.Security;

namespace Nats.AuthJwt.Tests.Auth;

/// <summary>The server-side user JWT checks, one test per check, and the official creds accepted.</summary>
[CancelAfter(10_000)]
public sealed class UserJwtCheckTests
{
    private JwtFixture _f = null!;

    [SetUp]
    public void SetUp() => _f = new JwtFixture();

    [TearDown]
    public void TearDown() => _f.Dispose();

    private async Task<UserJwtOutcome> Run(string accountJwt, UserJwtRequest request, IReadOnlySet<string>? pinned = null) =>
        await _f.Check(accountJwt, pinned).CheckAsync(request, CancellationToken.None);

    [Test]
    public async Task OfficialCredsUserIsAcceptedIntoItsAccount()
    {
        var creds = UserCredentials.Load(OfficialVectors.VectorPath("one.creds"));
        var trust = TrustedOperators.Create([JwtCodec.DecodeOperatorClaims(OfficialVectors.JsOperatorJwt)]);
        var check = new UserJwtCheck(trust, new StaticAccounts(OfficialVectors.JsAccountOneJwt, OfficialVectors.JsSystemAccountJwt));
        const string nonce = "Wq8rbqLsvrY6Dmo";

        var outcome = await check.CheckAsync(new UserJwtRequest
        {
            Jwt = creds.Jwt, Signature = creds.SignNonce(nonce), Nonce = "Wq8rbqLsvrY6Dmo"u8.ToArray(), RemoteAddress = IPAddress.Loopback,
        }, CancellationToken.None);

        Assert.That(outcome.IsAccepted, Is.True, outcome.Reason);
        Assert.That(outcome.User!.Account, Is.EqualTo(OfficialVectors.JsAccountOneKey));
        Assert.That(outcome.User.User, Is.EqualTo(OfficialVectors.OneUserKey));
        Assert.That(outcome.User.Permissions, Is.Null);
        Assert.That(outcome.User.MaxSubscriptions, Is.EqualTo(-1));
        Assert.That(outcome.User.Expires, Is.Null);
    }

    [Test]
    public async Task GeneratedUserWithPermissionsAndLimits()
    {
        var account = _f.AccountJwt(a => a.Nats.Limits.Payload = 512);
        var user = _f.UserJwt(u =>
        {
            u.Nats.Pub.Allow = ["orders.>"];
            u.Nats.Sub.Deny = ["secret.>"];
            u.Nats.Resp = new ResponsePermission { MaxMessages = 0, ExpiresNanoseconds = 0 };
            u.Nats.Subs = 10;
            u.Nats.Payload = 1024;
            u.Expires = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        });

        var outcome = await Run(account, _f.Request(user));

        Assert.That(outcome.IsAccepted, Is.True, outcome.Reason);
        var p = outcome.User!.Permissions!;
        Assert.That(p.Publish!.Allow, Is.EqualTo(new[] { "orders.>" }));
        Assert.That(p.Subscribe!.Deny, Is.EqualTo(new[] { "secret.>" }));
        Assert.That(p.Responses!.MaxMessages, Is.EqualTo(1), "resp max 0 means nats-server's default");
        Assert.That(p.Responses.Expires, Is.EqualTo(TimeSpan.FromMinutes(2)));
        Assert.That(outcome.User.MaxSubscriptions, Is.EqualTo(10));
        Assert.That(outcome.User.MaxPayload, Is.EqualTo(512), "the account's smaller limit wins");
        Assert.That(outcome.User.Expires, Is.Not.Null);
    }

    [Test]
    public async Task AccountDefaultPermissionsApplyWhenTheUserHasNone()
    {
        var account = _f.AccountJwt(a => a.Nats.DefaultPermissions.Pub.Deny = ["admin.>"]);

        var outcome = await Run(account, _f.Request(_f.UserJwt()));

        Assert.That(outcome.User!.UsesDefaultPermissions, Is.True);
        Assert.That(outcome.User.Permissions!.Publish!.Deny, Is.EqualTo(new[] { "admin.>" }));
    }

    [Test]
    public async Task EachFailedCheckIsNamed()
    {
        var account = _f.AccountJwt();
        var user = _f.UserJwt();
        async Task<string?> Reason(UserJwtRequest r, string? acct = null) => (await Run(acct ?? account, r)).Reason;

        Assert.That(await Reason(_f.Request(user) with { Jwt = null }), Is.EqualTo("Authentication requires a user JWT"));
        Assert.That(await Reason(_f.Request("a.b")), Is.EqualTo("User JWT not valid: expected 3 chunks"));
        Assert.That(await Reason(_f.Request(_f.AccountJwt())), Is.EqualTo("User JWT not valid: not user claim"));
        Assert.That(await Reason(_f.Request(_f.UserJwt(u => u.Expires = 1000))), Does.StartWith("User JWT no longer valid: claim is expired"));
        Assert.That(await Reason(_f.Request(_f.UserJwt(u => u.Nats.Src = ["not-a-cidr"]))), Does.StartWith("User JWT no longer valid: invalid cidr"));
        Assert.That(await Reason(_f.Request(user), JwtCodec.Encode(AccountClaims.Create(NKeyPair.Create(NKeyPrefix.Account).PublicKey), _f.Operator)),
            Does.StartWith("Account JWT lookup error"));
        using (var other = NKeyPair.Create(NKeyPrefix.Operator))
        {
            Assert.That(await Reason(_f.Request(user), JwtCodec.Encode(_f.NewAccount(), other)), Is.EqualTo("Account JWT not signed by trusted operator"));
        }
        Assert.That(await Reason(_f.Request(_f.UserJwt(u => u.Nats.IssuerAccount = _f.Account.PublicKey, _f.SigningKey))),
            Is.EqualTo("User JWT issuer is not known"));
        Assert.That(await Reason(_f.Request(user), _f.AccountJwt(a => a.Expires = DateTimeOffset.UtcNow.AddSeconds(-5).ToUnixTimeSeconds())),
            Is.EqualTo("Account JWT has expired"));
        Assert.That(await Reason(_f.Request(_f.UserJwt(u => u.Nats.BearerToken = true)), _f.AccountJwt(a => a.Nats.Limits.DisallowBearer = true)),
            Is.EqualTo("Account does not allow bearer tokens"));
        Assert.That(await Reason(_f.Request(_f.UserJwt(u => u.Nats.AllowedConnectionTypes = ["WEBSOCKET"]))), Is.EqualTo("Connection type not allowed"));
        Assert.That(await Reason(_f.Request(_f.UserJwt(u => u.Nats.AllowedConnectionTypes = ["CARRIER_PIGEON"]))), Is.EqualTo("invalid connection types [\"CARRIER_PIGEON\"]"));
        Assert.That(await Reason(_f.Request(user) with { Signature = null }), Is.EqualTo("Signature missing"));
        Assert.That(await Reason(_f.Request(user) with { Signature = "!!!" }), Is.EqualTo("Signature not valid base64"));
        Assert.That(await Reason(_f.Request(user, signature: _f.Sign("another-nonce12"))), Is.EqualTo("Signature not verified"));
        Assert.That(await Reason(_f.Request(_f.UserJwt(u => u.Nats.Src = ["10.0.0.0/8"]))), Is.EqualTo("Bad src Ip 127.0.0.1"));
        Assert.That(await Reason(_f.Request(user), _f.AccountJwt()), Is.Null);
    }

    [Test]
    public async Task PinnedAccountsRestrictWhichAccountsConnect()
    {
        var outcome = await Run(_f.AccountJwt(), _f.Request(_f.UserJwt()), new HashSet<string> { "AOTHER" });

        Assert.That(outcome.Reason, Is.EqualTo($"Account {_f.Account.PublicKey} not listed as operator pinned account"));
    }

    [Test]
    public async Task RevocationsByKeyAndForAllCoverUsersIssuedUpToTheTime()
    {
        var issued = DateTimeOffset.UtcNow.AddMinutes(-10);
        var user = _f.UserJwt(issuedAt: issued);

        var byKey = await Run(_f.AccountJwt(a => (a.Nats.Revocations = []).Revoke(_f.User.PublicKey, issued)), _f.Request(user));
        var all = await Run(_f.AccountJwt(a => (a.Nats.Revocations = []).Revoke("*", issued.AddSeconds(1))), _f.Request(user));
        var before = await Run(_f.AccountJwt(a => (a.Nats.Revocations = []).Revoke(_f.User.PublicKey, issued.AddSeconds(-1))), _f.Request(user));

        Assert.That(byKey.Reason, Is.EqualTo("User authentication revoked"));
        Assert.That(all.Reason, Is.EqualTo("User authentication revoked"));
        Assert.That(before.IsAccepted, Is.True, "a user issued after the revocation time is not revoked");
    }

    [Test]
    public async Task BearerTokensSkipTheNonceSignature()
    {
        var outcome = await Run(_f.AccountJwt(), _f.Request(_f.UserJwt(u => u.Nats.BearerToken = true)) with { Signature = null });

        Assert.That(outcome.IsAccepted, Is.True, outcome.Reason);
    }

    [Test]
    public async Task SourceNetworksAcceptAddressesInside()
    {
        var user = _f.UserJwt(u => u.Nats.Src = ["192.168.0.0/16", "127.0.0.0/8"]);

        Assert.That((await Run(_f.AccountJwt(), _f.Request(user))).IsAccepted, Is.True);
        Assert.That((await Run(_f.AccountJwt(), _f.Request(user) with { RemoteAddress = IPAddress.Parse("::ffff:127.0.0.5") })).IsAccepted, Is.True);
        Assert.That((await Run(_f.AccountJwt(), _f.Request(user) with { RemoteAddress = IPAddress.Parse("10.1.1.1") })).IsAccepted, Is.False);
    }

    [Test]
    public async Task ConnectTimesAllowInsideAWindowAndExpireAtItsEnd()
    {
        var now = new DateTimeOffset(2024, 5, 1, 23, 30, 0, TimeSpan.Zero);
        var user = _f.UserJwt(u => { u.Nats.Times = [new TimeRange { Start = "22:00:00", End = "06:00:00" }]; u.Nats.Locale = "UTC"; },
            issuedAt: now.AddHours(-1));

        var inside = await Run(_f.AccountJwt(), _f.Request(user) with { Now = now });
        var outside = await Run(_f.AccountJwt(), _f.Request(user) with { Now = now.AddHours(-12) });

        Assert.That(inside.IsAccepted, Is.True, inside.Reason);
        Assert.That(inside.User!.Expires, Is.EqualTo(new DateTimeOffset(2024, 5, 2, 6, 0, 0, TimeSpan.Zero)));
        Assert.That(outside.Reason, Is.EqualTo("Outside connect times"));
    }

    [Test]
    public async Task ScopedSigningKeyAppliesItsTemplate()
    {
        var account = _f.AccountJwt(a =>
        {
            a.Nats.Tags = ["region:eu"];
            var scope = new UserScope { Key = _f.SigningKey.PublicKey, Role = "dev" };
            scope.Template.Pub.Allow = ["{{account-name()}}.{{name()}}.>", "{{tag(team)}}.{{account-tag(region)}}.in"];
            scope.Template.Sub.Allow = ["_INBOX.{{subject()}}.>"];
            scope.Template.Subs = 5;
            a.Nats.SigningKeys!.AddScope(scope);
        });
        var user = _f.UserJwt(u =>
        {
            u.ClearPermissionsForScopedKey();
            u.Nats.IssuerAccount = _f.Account.PublicKey;
            u.Nats.Tags = ["team:red", "team:blue"];
        }, _f.SigningKey);

        var outcome = await Run(account, _f.Request(user));

        Assert.That(outcome.IsAccepted, Is.True, outcome.Reason);
        Assert.That(outcome.User!.SigningKey, Is.EqualTo(_f.SigningKey.PublicKey));
        Assert.That(outcome.User.Permissions!.Publish!.Allow, Is.EqualTo(new[] { "acct.alice.>", "red.eu.in", "blue.eu.in" }));
        Assert.That(outcome.User.Permissions.Subscribe!.Allow, Is.EqualTo(new[] { $"_INBOX.{_f.User.PublicKey}.>" }));
        Assert.That(outcome.User.MaxSubscriptions, Is.EqualTo(5));
    }

    [Test]
    public async Task ScopedSigningKeyRefusesUsersWithTheirOwnPermissions()
    {
        var account = _f.AccountJwt(a => a.Nats.SigningKeys!.AddScope(new UserScope { Key = _f.SigningKey.PublicKey }));
        var user = _f.UserJwt(u => u.Nats.IssuerAccount = _f.Account.PublicKey, _f.SigningKey);

        var outcome = await Run(account, _f.Request(user));

        Assert.That(outcome.Reason, Is.EqualTo("User JWT is not valid: scoped users require no permissions or limits set"));
    }

    [Test]
    public async Task PlainSigningKeyIssuesUsersWithTheirOwnPermissions()
    {
        var account = _f.AccountJwt(a => a.Nats.SigningKeys!.Add(_f.SigningKey.PublicKey));
        var user = _f.UserJwt(u => { u.Nats.IssuerAccount = _f.Account.PublicKey; u.Nats.Pub.Allow = ["a"]; }, _f.SigningKey);

        var outcome = await Run(account, _f.Request(user));

        Assert.That(outcome.User!.Permissions!.Publish!.Allow, Is.EqualTo(new[] { "a" }));
    }

    [Test]
    public async Task StrictOperatorAccountsCannotIssueUsersWithTheirOwnKey()
    {
        using var opSigner = NKeyPair.Create(NKeyPrefix.Operator);
        var op = new OperatorClaims { Subject = _f.Operator.PublicKey };
        op.Nats.StrictSigningKeyUsage = true;
        op.Nats.SigningKeys = [opSigner.PublicKey];
        JwtCodec.Encode(op, _f.Operator);
        var trust = TrustedOperators.Create([op]);
        var accountJwt = JwtCodec.Encode(_f.NewAccount(), opSigner);
        var check = new UserJwtCheck(trust, new StaticAccounts(accountJwt));

        var outcome = await check.CheckAsync(_f.Request(_f.UserJwt()), CancellationToken.None);

        Assert.That(trust.IsTrustedIssuer(_f.Operator.PublicKey), Is.False);
        Assert.That(outcome.Reason, Is.EqualTo("User JWT issuer is not known"));
    }
}
