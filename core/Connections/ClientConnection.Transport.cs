namespace Nats.Core.Connections;

public sealed partial class ClientConnection
{
    /// <summary>
    /// Sends INFO (with a nonce when nkey or plugin authentication may need a signature).
    /// </summary>
    private protected override ValueTask<bool> NegotiateAsync()
    {
        if (Server.Auth.NeedsNonce)
        {
            _nonce = Security.Nonce.Generate();
        }
        Out.Append(Server.Info.ToClientInfoLine(Id, RemoteEndPoint?.Address.ToString(), _nonce));
        return ValueTask.FromResult(true);
    }

    /// <summary>
    /// Re-sends INFO after the server's INFO changed (cluster members, lame duck), to
    /// clients that understand asynchronous INFO (protocol 1).
    /// </summary>
    internal void SendInfoUpdate()
    {
        if (IsClosed || Options.Protocol < 1 || !_connectReceived)
        {
            return;
        }
        Send(Server.Info.ToClientInfoLine(0, null, null));
    }
}
