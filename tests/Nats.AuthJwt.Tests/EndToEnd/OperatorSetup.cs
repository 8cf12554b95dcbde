using Nats.AuthJwt.Creds;
using Nats.AuthJwt.Jwt;
using Nats.AuthJwt.Jwt.Claims;
using Nats.Core.Security;

namespace Nats.AuthJwt.Tests.EndToEnd;

/// <summary>
/// An operator with a system account, made with the plugin's codec and fresh nkeys, as nsc would
/// make them: account and user JWTs, creds files in a temporary directory, and the server config
/// (operator mode with a MEMORY or full directory resolver) that both servers read.
/// </summary>
internal sealed class OperatorSetup : IDisposable
{
    private readonly List<NKeyPair> _keys = [];

    public OperatorSetup()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("authjwt").FullName;
        Operator = Key(NKeyPrefix.Operator);
        SystemAccount = NewAccount("SYS");
        var op = new OperatorClaims { Subject = Operator.PublicKey, Name = "OP" };
        op.Nats.SystemAccount = SystemAccount.Key.PublicKey;
        OperatorJwt = JwtCodec.Encode(op, Operator);
        SystemJwt = AccountJwt(SystemAccount);
    }

    public string Directory { get; }

    public NKeyPair Operator { get; }

    public string OperatorJwt { get; }

    public TestAccount SystemAccount { get; }

    public string SystemJwt { get; }

    public TestAccount NewAccount(string name) => new(name, Key(NKeyPrefix.Account));

    /// <summary>The account's JWT, signed by the operator; <paramref name="configure"/> adds exports, limits, revocations.</summary>
    public string AccountJwt(TestAccount account, Action<AccountClaims>? configure = null, DateTimeOffset? issuedAt = null)
    {
        var claims = AccountClaims.Create(account.Key.PublicKey);
        claims.Name = account.Name;
        configure?.Invoke(claims);
        return JwtCodec.Encode(claims, Operator, issuedAt);
    }

    /// <summary>A new user of <paramref name="account"/> and its creds file.</summary>
    public TestUser NewUser(TestAccount account, string name, Action<UserClaims>? configure = null, DateTimeOffset? issuedAt = null)
    {
        var key = Key(NKeyPrefix.User);
        var claims = UserClaims.Create(key.PublicKey);
        claims.Name = name;
        configure?.Invoke(claims);
        var jwt = JwtCodec.Encode(claims, account.Key, issuedAt);
        var path = Path.Combine(Directory, $"{name}-{key.PublicKey[..8]}.creds");
        File.WriteAllText(path, UserCredentials.Format(jwt, key.Seed));
        return new TestUser(key, jwt, path);
    }

    /// <summary>Operator mode with a memory resolver preloaded with <paramref name="accountJwts"/> (and the system account).</summary>
    public string MemoryConfig(int port, params string[] accountJwts) => MemoryConfig(port, systemAccountLine: true, accountJwts);

    /// <summary>The same; without <paramref name="systemAccountLine"/> the system account comes from the operator JWT alone.</summary>
    public string MemoryConfig(int port, bool systemAccountLine, params string[] accountJwts)
    {
        var preload = string.Join("\n", accountJwts.Prepend(SystemJwt).Select(jwt => $"  {JwtCodec.DecodeAccountClaims(jwt).Subject}: \"{jwt}\""));
        return $$"""
            host: 127.0.0.1
            port: {{port}}
            operator: "{{OperatorJwt}}"
            {{(systemAccountLine ? "system_account: " + SystemAccount.Key.PublicKey : "")}}
            resolver: MEMORY
            resolver_preload: {
            {{preload}}
            }
            """;
    }

    /// <summary>Operator mode with a full directory resolver (deletes allowed), preloaded with the system account.</summary>
    public string FullResolverConfig(int port, string dir, string extra = "", string resolverExtra = "") => $$"""
        host: 127.0.0.1
        port: {{port}}
        {{extra}}
        operator: "{{OperatorJwt}}"
        system_account: {{SystemAccount.Key.PublicKey}}
        resolver: { type: full, dir: "{{dir}}", allow_delete: true {{resolverExtra}} }
        resolver_preload: {
          {{SystemAccount.Key.PublicKey}}: "{{SystemJwt}}"
        }
        """;

    /// <summary>
    /// Pushes <paramref name="accountJwt"/> on <c>$SYS.REQ.ACCOUNT.&lt;id&gt;.CLAIMS.UPDATE</c> as a system
    /// user of the server on <paramref name="port"/> (as <c>nsc push</c> does); returns the answer's
    /// message (<c>jwt updated</c>) or, for an error, its JSON.
    /// </summary>
    public async Task<string> PushAsync(int port, string accountJwt)
    {
        var account = JwtCodec.DecodeAccountClaims(accountJwt).Subject;
        await using var system = NewUser(SystemAccount, "push").Client(port);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var reply = await system.RequestAsync<string, string>($"$SYS.REQ.ACCOUNT.{account}.CLAIMS.UPDATE", accountJwt, cancellationToken: cts.Token);
        var answer = System.Text.Json.JsonDocument.Parse(reply.Data!).RootElement;
        return answer.TryGetProperty("data", out var data) ? data.GetProperty("message").GetString()! : answer.GetRawText();
    }

    /// <summary>The operator-signed generic JWT naming <paramref name="accounts"/> that <c>$SYS.REQ.CLAIMS.DELETE</c> takes (as <c>nsc delete</c> sends it).</summary>
    public string DeleteRequest(params string[] accounts) => JwtCodec.Encode(
        new GenericClaims { Subject = Operator.PublicKey, Data = new Nats.AuthJwt.Jwt.Model.GenericData { ["accounts"] = System.Text.Json.JsonSerializer.SerializeToElement(accounts) } },
        Operator);

    private NKeyPair Key(NKeyPrefix role)
    {
        var key = NKeyPair.Create(role);
        _keys.Add(key);
        return key;
    }

    public void Dispose()
    {
        foreach (var key in _keys)
        {
            key.Dispose();
        }
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal sealed record TestAccount(string Name, NKeyPair Key);

internal sealed record TestUser(NKeyPair Key, string Jwt, string CredsPath)
{
    /// <summary>The CONNECT line (without CRLF) a creds client sends for <paramref name="nonce"/>.</summary>
    public string Connect(string nonce) =>
        $$"""CONNECT {"verbose":false,"pedantic":false,"protocol":1,"headers":true,"jwt":"{{Jwt}}","sig":"{{Sign(nonce)}}"}""";

    public string Sign(string nonce) => System.Buffers.Text.Base64Url.EncodeToString(Key.Sign(System.Text.Encoding.ASCII.GetBytes(nonce)));

    /// <summary>The CONNECT line (without CRLF) a leaf node soliciting with these creds sends for <paramref name="nonce"/>.</summary>
    public string LeafConnect(string nonce, string name) =>
        $$"""CONNECT {"jwt":"{{Jwt}}","sig":"{{Sign(nonce)}}","name":"{{name}}","headers":true}""";

    /// <summary>A NATS.Net client of this user's creds file for the server on <paramref name="port"/>, not reconnecting.</summary>
    public NATS.Client.Core.NatsConnection Client(int port) => new(NATS.Client.Core.NatsOpts.Default with
    {
        Url = $"nats://127.0.0.1:{port}",
        AuthOpts = NATS.Client.Core.NatsAuthOpts.Default with { CredsFile = CredsPath },
        MaxReconnectRetry = 0,
        ConnectTimeout = TimeSpan.FromSeconds(5),
    });
}
