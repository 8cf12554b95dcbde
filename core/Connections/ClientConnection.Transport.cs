namespace Nats.Core.Connections;

public sealed partial class ClientConnection
{
    /// <summary>
    /// Sends INFO (with a nonce when nkey or plugin authentication may need a signature).
    /// </summary>
    /// <returns>False when the connection was refused during negotiation.</returns>
    private ValueTask<bool> NegotiateTransportAsync()
    {
        if (_server.Auth.NeedsNonce)
        {
            _nonce = Security.Nonce.Generate();
        }
        var info = _server.Info.ToClientInfoLine(Id, RemoteEndPoint?.Address.ToString(), _nonce);
        _out.Append(info);
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
        Send(_server.Info.ToClientInfoLine(0, null, null));
    }
}
