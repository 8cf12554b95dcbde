namespace Nats.Host.Hosting;

/// <summary>
/// Runs socket completions on the runtime's epoll threads instead of handing each one to the
/// thread pool (.NET's <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS</c>), the way
/// nats-server's goroutines run where the network poller woke them.
/// </summary>
/// <remarks>
/// Every read that waited otherwise costs a thread-pool work item: a wake-up of an idle worker,
/// which then spins looking for more work. A request and its reply are two such reads (and two
/// writer wake-ups), and that, not the request path, was most of the server's CPU per request:
/// natsbench <c>reqrep -n 100000 --raw</c> 30-33 us and 9-10 context switches per request
/// before, 12-17 us and 4-6 after, nats-server 10-12 us and 3 (docs/benchmarks.md). A read loop
/// then parses on the epoll thread; it never blocks there (waits are awaited, long runs of
/// reads step aside with a yield: see NatsConnection.ReadLoopAsync), and the runtime starts one
/// epoll thread per core in this mode so one busy connection does not hold up the others.
/// The runtime reads the variable once, when the first socket is created, so this runs first
/// thing in Main; a value already in the environment is left as it is (0 turns it off).
/// </remarks>
internal static class InlineSocketCompletions
{
    private const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Turns inline completions on unless the environment already says otherwise.</summary>
    public static void Enable()
    {
        if (Environment.GetEnvironmentVariable(Variable) is null)
        {
            Environment.SetEnvironmentVariable(Variable, "1");
        }
    }
}
