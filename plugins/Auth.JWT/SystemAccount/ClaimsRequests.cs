using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Nats.AuthJwt.Accounts;
using Nats.AuthJwt.Jwt;
using Nats.AuthJwt.Jwt.Claims;
using Nats.AuthJwt.Logging;
using Nats.AuthJwt.Resolvers;
using Nats.Core.Plugins;
using Nats.Core.Security;
using Nats.Core.SystemServices;

namespace Nats.AuthJwt.SystemAccount;

/// <summary>
/// The account JWT requests on the system account, answered as nats-server answers them:
/// <list type="bullet">
/// <item>every resolver: <c>$SYS.REQ.ACCOUNT.&lt;id&gt;.CLAIMS.UPDATE</c> (and the old
/// <c>$SYS.ACCOUNT.&lt;id&gt;.CLAIMS.UPDATE</c>) update an account in use (<c>accountClaimUpdate</c>);</item>
/// <item>the directory resolvers instead store what they get (<c>DirAccResolver.Start</c>), and
/// also answer <c>$SYS.REQ.CLAIMS.UPDATE</c>, <c>$SYS.REQ.ACCOUNT.&lt;id&gt;.CLAIMS.LOOKUP</c>,
/// <c>$SYS.REQ.CLAIMS.PACK</c> (queue <c>responder</c>), <c>$SYS.REQ.CLAIMS.LIST</c> and
/// <c>$SYS.REQ.CLAIMS.DELETE</c>.</item>
/// </list>
/// </summary>
/// <remarks>
/// Handlers run on the in-process connection's delivery threads (never an I/O thread), one
/// message at a time per subscription; file I/O of the directory store happens there.
/// </remarks>
public sealed class ClaimsRequests : IAsyncDisposable
{
    private const string ErrorPrefix = "jwt update resulted in error";

    private readonly IInProcessConnection _connection;
    private readonly ISystemServices _system;
    private readonly JwtAccountResolver _accounts;
    private readonly ILogger _logger;
    private readonly List<IDisposable> _subscriptions = [];

    private ClaimsRequests(IInProcessConnection connection, ISystemServices system, JwtAccountResolver accounts, ILogger logger)
    {
        _connection = connection;
        _system = system;
        _accounts = accounts;
        _logger = logger;
    }

    /// <summary>Subscribes the handlers for the resolver in use on <paramref name="connection"/> (in the system account).</summary>
    public static ClaimsRequests Start(IInProcessConnection connection, ISystemServices system, JwtAccountResolver accounts, ILogger logger)
    {
        var requests = new ClaimsRequests(connection, system, accounts, logger);
        if (accounts.Source is DirectoryAccountJwtSource directory)
        {
            requests.StartDirectory(directory);
        }
        else
        {
            foreach (var subject in new[] { "$SYS.ACCOUNT.*.CLAIMS.UPDATE", "$SYS.REQ.ACCOUNT.*.CLAIMS.UPDATE" })
            {
                requests.On(subject, null, requests.UpdateLoadedAccount);
            }
        }
        return requests;
    }

    private void On(string subject, string? queue, Action<InProcessMessage> handler) =>
        _subscriptions.Add(_connection.Subscribe(subject, queue, message =>
        {
            try
            {
                handler(message);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                AuthJwtLog.RequestFailed(_logger, message.Subject, e.Message);
            }
            return ValueTask.CompletedTask;
        }));

    /// <summary>nats-server's <c>accountClaimUpdate</c>: memory and URL resolvers update accounts in use only.</summary>
    private void UpdateLoadedAccount(InProcessMessage message)
    {
        if (AccountOf(message.Subject) is not { } key)
        {
            return;
        }
        var jwt = Encoding.UTF8.GetString(message.Payload.Span);
        if (jwt.Length == 0)
        {
            Respond(message.Reply, key, "jwt update error", "request body is empty");
            return;
        }
        AccountClaims claims;
        try
        {
            claims = JwtCodec.DecodeAccountClaims(jwt);
        }
        catch (JwtException e)
        {
            Respond(message.Reply, key, ErrorPrefix, e.Message);
            return;
        }
        if (claims.Subject != key)
        {
            Respond(message.Reply, key, ErrorPrefix, "subject does not match jwt content");
            return;
        }
        if (_accounts.Registry.Find(key) is null)
        {
            Respond(message.Reply, key, "jwt update skipped");
            return;
        }
        ApplyAndRespond(message.Reply, key, jwt);
    }

    private void StartDirectory(DirectoryAccountJwtSource directory)
    {
        var store = directory.Store;
        // A stored change reaches the account in use; a deletion disables it (nats-server's changed/removeCb).
        store.Changed += key =>
        {
            if (_accounts.Registry.Find(key) is null || store.Load(key) is not { } jwt)
            {
                return;
            }
            try
            {
                _accounts.Apply(jwt, key);
            }
            catch (AccountResolverException e)
            {
                AuthJwtLog.UpdateFailed(_logger, key, e.Message);
            }
        };
        store.Deleted += _accounts.Forget;
        foreach (var subject in new[] { "$SYS.ACCOUNT.*.CLAIMS.UPDATE", "$SYS.REQ.ACCOUNT.*.CLAIMS.UPDATE" })
        {
            On(subject, null, m =>
            {
                if (AccountOf(m.Subject) is { } key)
                {
                    Store(m, store, key);
                }
            });
        }
        On("$SYS.REQ.CLAIMS.UPDATE", null, m => Store(m, store, expectedAccount: null));
        On("$SYS.REQ.ACCOUNT.*.CLAIMS.LOOKUP", null, m => Lookup(m, store));
        On("$SYS.REQ.CLAIMS.PACK", "responder", m => Pack(m, store));
        On("$SYS.REQ.CLAIMS.LIST", null, m => List(m, store));
        On("$SYS.REQ.CLAIMS.DELETE", null, m => Delete(m, store));
    }

    /// <summary>The directory resolver's update: validate, store (the store's change event applies it).</summary>
    private void Store(InProcessMessage message, DirectoryJwtStore store, string? expectedAccount)
    {
        var jwt = Encoding.UTF8.GetString(message.Payload.Span);
        AccountClaims claims;
        try
        {
            claims = JwtCodec.DecodeAccountClaims(jwt);
        }
        catch (JwtException e)
        {
            Respond(message.Reply, "n/a", ErrorPrefix, e.Message);
            return;
        }
        var account = expectedAccount ?? claims.Subject!;
        var vr = new ValidationResults();
        claims.Validate(vr, DateTimeOffset.UtcNow);
        if (vr.IsBlocking(includeTimeChecks: false))
        {
            Respond(message.Reply, claims.Subject, "jwt validation failed", $"validation errors: {vr}");
            return;
        }
        if (expectedAccount is not null && claims.Subject != expectedAccount)
        {
            Respond(message.Reply, account, ErrorPrefix, "subject does not match jwt content");
            return;
        }
        if (_accounts.Trust.Operators.Any(o => o.Subject == claims.Issuer && o.Nats.StrictSigningKeyUsage))
        {
            Respond(message.Reply, account, ErrorPrefix, "operator requires issuer to be a signing key");
            return;
        }
        try
        {
            store.Save(account, jwt);
        }
        catch (Exception e) when (e is AccountResolverException or IOException or UnauthorizedAccessException)
        {
            Respond(message.Reply, account, ErrorPrefix, e.Message);
            return;
        }
        Respond(message.Reply, account, "jwt updated");
    }

    private void Lookup(InProcessMessage message, DirectoryJwtStore store)
    {
        if (message.Reply is not { } reply || AccountOf(message.Subject, tokens: 6) is not { } key)
        {
            return;
        }
        string? jwt;
        try
        {
            jwt = store.Load(key);
        }
        catch (AccountResolverException)
        {
            jwt = null;
        }
        // An empty answer tells the asker this server has no JWT for the account.
        _connection.Publish(reply, jwt is null ? [] : Encoding.UTF8.GetBytes(jwt));
    }

    private void Pack(InProcessMessage message, DirectoryJwtStore store)
    {
        if (message.Reply is not { } reply)
        {
            return;
        }
        var ours = store.Hash();
        if (!message.Payload.Span.SequenceEqual(ours))
        {
            store.PackWalk(1, part => _connection.Publish(reply, Encoding.UTF8.GetBytes(part)));
        }
        _connection.Publish(reply, []);
    }

    private void List(InProcessMessage message, DirectoryJwtStore store)
    {
        if (message.Reply is not { } reply)
        {
            return;
        }
        var ids = new List<string>();
        store.PackWalk(1, part =>
        {
            var tokens = part.Split('|');
            if (tokens.Length == 2)
            {
                ids.Add(tokens[0]);
            }
        });
        _system.Publish(reply, new ClaimsListResponse { Server = _system.NextServerInfo(), Data = ids });
    }

    /// <summary>nats-server's <c>handleDeleteRequest</c>: a generic JWT self-signed by a trusted operator key listing the accounts.</summary>
    private void Delete(InProcessMessage message, DirectoryJwtStore store)
    {
        var subject = "";
        string? error = null;
        var accounts = new List<string>();
        try
        {
            var claims = JwtCodec.DecodeGeneric(Encoding.UTF8.GetString(message.Payload.Span));
            subject = claims.Subject ?? "";
            error = DeleteRequestError(claims, store, accounts);
        }
        catch (JwtException e)
        {
            error = e.Message;
        }
        if (error is not null)
        {
            Respond(message.Reply, null, $"delete accounts request by {subject} failed", error);
            return;
        }
        var errors = new List<string>();
        foreach (var account in accounts)
        {
            try
            {
                store.Remove(account);
            }
            catch (Exception e) when (e is AccountResolverException or IOException or UnauthorizedAccessException)
            {
                errors.Add(e.Message);
            }
        }
        var passed = accounts.Count - errors.Count;
        if (errors.Count == 0)
        {
            Respond(message.Reply, null, $"deleted {passed} accounts");
        }
        else
        {
            Respond(message.Reply, null, $"deleted {passed} accounts, failed for {errors.Count}", string.Join('\n', errors));
        }
    }

    private string? DeleteRequestError(GenericClaims claims, DirectoryJwtStore store, List<string> accounts)
    {
        if (store.Delete == Config.DeleteMode.NoDelete)
        {
            return "delete must be enabled in server config";
        }
        if (claims.Subject != claims.Issuer)
        {
            return "not self signed";
        }
        if (!OperatorKeys().Contains(claims.Issuer ?? ""))
        {
            return "not trusted";
        }
        if (claims.Data is null || !claims.Data.TryGetValue("accounts", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            return "malformed request";
        }
        var system = _accounts.Registry.System?.Name;
        foreach (var entry in list.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.String || entry.GetString() is not { Length: > 0 } account || !NKeys.IsValidPublicAccountKey(account))
            {
                return "malformed request";
            }
            if (account == system)
            {
                return "not allowed to delete system account";
            }
            accounts.Add(account);
        }
        return null;
    }

    // nats-server's getOperatorKeys: every operator's key and signing keys.
    private HashSet<string> OperatorKeys()
    {
        var keys = new HashSet<string>(_accounts.Trust.Keys, StringComparer.Ordinal);
        foreach (var op in _accounts.Trust.Operators)
        {
            keys.Add(op.Subject ?? "");
        }
        return keys;
    }

    private void ApplyAndRespond(string? reply, string key, string jwt)
    {
        try
        {
            _accounts.Apply(jwt, key);
        }
        catch (AccountResolverException e)
        {
            Respond(reply, key, ErrorPrefix, e.Message);
            return;
        }
        Respond(reply, key, "jwt updated");
    }

    /// <summary>nats-server's <c>respondToUpdate</c>: logs, then answers when there is a reply subject.</summary>
    private void Respond(string? reply, string? account, string message, string? error = null)
    {
        if (error is null)
        {
            AuthJwtLog.UpdateResponse(_logger, message, account);
        }
        else
        {
            AuthJwtLog.UpdateError(_logger, message, account, error);
        }
        if (reply is null)
        {
            return;
        }
        _system.Publish(reply, error is null
            ? new ClaimUpdateResponse { Server = _system.NextServerInfo(), Data = new ClaimUpdateStatus { Account = account, Code = 200, Message = message } }
            : new ClaimUpdateResponse { Server = _system.NextServerInfo(), Error = new ClaimUpdateError { Account = account, Code = 500, Description = $"{message} - {error}" } });
    }

    // $SYS.REQ.ACCOUNT.<id>.CLAIMS.UPDATE (6 tokens) or $SYS.ACCOUNT.<id>.CLAIMS.UPDATE (5 tokens).
    private static string? AccountOf(string subject, int? tokens = null)
    {
        var parts = subject.Split('.');
        if (tokens is { } expected && parts.Length != expected)
        {
            return null;
        }
        return parts.Length switch
        {
            6 => parts[3],
            5 => parts[2],
            _ => null,
        };
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }
        await _connection.DisposeAsync().ConfigureAwait(false);
    }
}
