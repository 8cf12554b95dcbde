using System.Net;
using System.Net.Sockets;

namespace Nats.TestSupport;

/// <summary>
/// Picks free loopback ports by letting the kernel assign them. All requested ports are held
/// open at once so one call never returns the same port twice (a cluster needs six distinct
/// ones); they are released just before the servers bind them.
/// </summary>
public static class FreePorts
{
    public static int[] Take(int count)
    {
        var listeners = new List<TcpListener>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
            }
            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            foreach (var listener in listeners)
                listener.Stop();
        }
    }

    public static int Take() => Take(1)[0];
}
