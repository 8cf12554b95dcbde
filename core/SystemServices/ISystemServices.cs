using Nats.Core.Accounts;
using Nats.Core.Config;

namespace Nats.Core.SystemServices;

/// <summary>
/// Answers one <c>$SYS</c> request: returns the <c>data</c> of the answer (serialized as
/// JSON the way Go does), <c>null</c> for an answer without data, or
/// <see cref="SystemRequest.NoAnswer"/> to stay silent. Throw
/// <see cref="SystemRequestException"/> for an error answer. Requests on one subject are
/// handled one at a time, off the publisher's thread; a synchronous handler returns
/// <c>new(result)</c>.
/// </summary>
public delegate ValueTask<object?> SystemRequestHandler(SystemRequest request);

/// <summary>A <c>$SYS</c> request as a handler sees it.</summary>
public sealed class SystemRequest
{
    internal SystemRequest(string subject, string? reply, string? account, ReadOnlyMemory<byte> headers, ReadOnlyMemory<byte> payload)
    {
        Subject = subject;
        Reply = reply;
        Account = account;
        Headers = headers;
        Payload = payload;
    }

    /// <summary>Return this from a handler to send no answer (nats-server's filtered <c>zReq</c>).</summary>
    public static object NoAnswer { get; } = new();

    /// <summary>The subject the request came on.</summary>
    public string Subject { get; }

    /// <summary>Where the answer goes.</summary>
    public string? Reply { get; }

    /// <summary>For account requests (<c>$SYS.REQ.ACCOUNT.&lt;acc&gt;.&lt;name&gt;</c>): the account token.</summary>
    public string? Account { get; }

    /// <summary>The header block, empty when none.</summary>
    public ReadOnlyMemory<byte> Headers { get; }

    /// <summary>The request body: JSON options, or empty. Server filter options are already applied.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>
    /// The client that asked, when a local client's request came through its account's system
    /// import (nats-server shares the requester's client info with such a service); null for a
    /// request published in the system account or received from another server.
    /// </summary>
    public SystemRequester? Requester { get; internal init; }
}

/// <summary>
/// Who made a <c>$SYS</c> request (<see cref="SystemRequest.Requester"/>): a client connected to
/// this server, as its authentication left it when it published the request.
/// </summary>
public sealed class SystemRequester
{
    /// <summary>The client's account.</summary>
    public required string Account { get; init; }

    /// <summary>The authenticated user: a name, an nkey or a JWT's subject; null when there was none.</summary>
    public string? User { get; init; }

    /// <summary>The connection id (<c>/connz</c>'s <c>cid</c>).</summary>
    public ulong ClientId { get; init; }

    /// <summary>The name the client gave in CONNECT, if any.</summary>
    public string? Name { get; init; }

    /// <summary>The permissions in force; null when the client may publish and subscribe to anything.</summary>
    public PermissionsConfig? Permissions { get; init; }

    /// <summary>When the client's authorization ends (a user JWT's expiry); null for never.</summary>
    public DateTimeOffset? Expires { get; init; }
}

/// <summary>Refuses a <c>$SYS</c> request: the answer carries <c>{"error":{"code":…,"description":…}}</c>.</summary>
public sealed class SystemRequestException : Exception
{
    /// <summary>Creates the refusal.</summary>
    public SystemRequestException(string description, int code = 500)
        : base(description)
    {
        Code = code;
    }

    /// <summary>400 for a bad request, 500 when the service failed (as nats-server uses them).</summary>
    public int Code { get; }

    /// <summary>
    /// The answer also carries <c>"data":null</c>, as nats-server's does when the failing function
    /// returned a typed nil (its <c>Connz</c>, <c>JszAccount</c>, <c>accountInfo</c>: <c>omitempty</c>
    /// keeps a typed nil in an <c>any</c>).
    /// </summary>
    public bool NullData { get; init; }
}

/// <summary>
/// The server's <c>$SYS</c> services on the system account, as nats-server runs them: requests
/// (<c>$SYS.REQ.SERVER.PING.&lt;name&gt;</c>, <c>$SYS.REQ.SERVER.&lt;id&gt;.&lt;name&gt;</c>,
/// <c>$SYS.REQ.ACCOUNT.&lt;acc&gt;.&lt;name&gt;</c>) answered in the
/// <c>{"server":{…},"data":…}</c> envelope, and events. Plugins add their own requests here
/// (JetStream's <c>JSZ</c>, a gateway's <c>GATEWAYZ</c>) and publish advisories.
/// Reached through <see cref="Plugins.IServerContext.SystemServices"/>.
/// </summary>
public interface ISystemServices
{
    /// <summary>False when there is no system account (<c>no_system_account</c>); then nothing is served or published.</summary>
    bool IsEnabled { get; }

    /// <summary>The system account, or null when disabled.</summary>
    Account? Account { get; }

    /// <summary>
    /// Serves <paramref name="name"/> (upper case, e.g. <c>JSZ</c>) on
    /// <c>$SYS.REQ.SERVER.PING.&lt;name&gt;</c> (answered by every server) and
    /// <c>$SYS.REQ.SERVER.&lt;id&gt;.&lt;name&gt;</c>. Requests whose filter options
    /// (<c>server_name</c>, <c>cluster</c>, <c>host</c>, <c>tags</c>, <c>domain</c>) do not
    /// match this server get no answer. Dispose the result to stop serving.
    /// </summary>
    IDisposable AddServerRequest(string name, SystemRequestHandler handler);

    /// <summary>
    /// Serves <c>$SYS.REQ.ACCOUNT.&lt;acc&gt;.&lt;name&gt;</c>; the handler reads the account
    /// from <see cref="SystemRequest.Account"/>. Dispose the result to stop serving.
    /// </summary>
    IDisposable AddAccountRequest(string name, SystemRequestHandler handler);

    /// <summary>Publishes <paramref name="message"/> as Go-style JSON on <paramref name="subject"/> in the system account.</summary>
    void Publish(string subject, object message);

    /// <summary>Publishes a ready-made body on <paramref name="subject"/> in the system account.</summary>
    void Publish(string subject, ReadOnlySpan<byte> body, string? reply = null);

    /// <summary>
    /// The <c>server</c> block for a message about to be sent: fills in this server's name, id,
    /// cluster, tags and JetStream state, the next sequence number and the time.
    /// </summary>
    SystemServerInfo NextServerInfo();

    /// <summary>Adds to every STATSZ (periodic and requested), e.g. JetStream's <c>jetstream</c> part.</summary>
    void AddStatszContributor(Action<ServerStatsz> contributor);

    /// <summary>Sets what the <c>server</c> block says about JetStream (the JetStream plugin calls this).</summary>
    void SetJetStream(bool enabled, string? domain = null);
}
