using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.CompilerServices;
using Nats.Core.Connections;

namespace Nats.Core.Cluster;

/// <summary>
/// Compiles a joining member's route path while the server is still starting (issue 18), so
/// that its first dial runs compiled code: between the client port opening and the route's
/// CONNECT/INFO leaving, a cold server JIT-compiled ~120 methods (7–13 ms) that ReadyToRun
/// cannot hold — the async builders' code over the route path's own state machines, and
/// framework collections over the kernel's value types (docs/benchmarks.md, "Start-up and
/// cluster join").
/// </summary>
/// <remarks>
/// Runs on a background thread started when the server is built with routes to dial, while
/// the start-up thread loads plugins, and touches nothing of the server: the state machines'
/// builder code is compiled with <see cref="RuntimeHelpers.PrepareMethod(RuntimeMethodHandle, RuntimeTypeHandle[])"/>
/// (running those methods would need a live route), and the rest is exercised for real on a
/// loopback socket pair of its own — a dial with the same calls, a CONNECT and INFO written,
/// an outbound buffer flushed through its writer. Best effort: whatever fails (a runtime whose
/// internals differ, no loopback) is skipped, and the real dial compiles it as before.
/// </remarks>
internal static class RoutePathWarmup
{
    private const BindingFlags AnyMember = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;

    private static int s_started;

    /// <summary>
    /// The async methods a dialled route runs before its first bytes leave, and whether each
    /// really waits there (then the builder moves its state machine into a box, whose code is
    /// prepared too; a handshake without TLS completes synchronously).
    /// </summary>
    internal static readonly (Type Owner, string Name, bool Waits)[] AsyncMethods =
    [
        (typeof(RouteManager), "DialAsync", true),
        (typeof(RouteManager), "RunRouteAsync", true),
        (typeof(LinkConnection), "RunAsync", true),
        (typeof(NatsConnection), "RunAsync", true),
        (typeof(RouteConnection), "HandshakeAsync", false),
        (typeof(NatsConnection), "RunWriterAsync", true),
        (typeof(OutboundBuffer), "RunWriterAsync", true),
        (typeof(NatsConnection), "ReadLoopAsync", true),
    ];

    // What of a box runs when a state machine waits and resumes (the rest is for debuggers).
    private static readonly string[] BoxMethods =
        [".ctor", "get_Context", "MoveNext", "ExecuteFromThreadPool", "ExecutionContextCallback", "ClearStateUponCompletion"];

    /// <summary>Starts the warm-up once per process, on a background thread.</summary>
    public static void Start()
    {
        if (Interlocked.Exchange(ref s_started, 1) != 0)
        {
            return;
        }
        new Thread(() => Run()) { IsBackground = true, Name = "route path warm-up" }.Start();
    }

    /// <summary>Does the whole warm-up on the calling thread (tests, and the background thread).</summary>
    /// <returns>How many state machines had their builder code prepared.</returns>
    internal static int Run()
    {
        var prepared = 0;
        foreach (var (owner, name, waits) in AsyncMethods)
        {
            prepared += TryPrepareStateMachine(owner, name, waits) ? 1 : 0;
        }
        try
        {
            ExerciseAsync().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // No loopback here: the real dial compiles what this would have.
        }
        return prepared;
    }

    /// <summary>
    /// Compiles what an async method's builder runs over its state machine: Start, the await
    /// of each awaiter type it uses, and the box the machine moves into at its first real wait.
    /// </summary>
    private static bool TryPrepareStateMachine(Type owner, string name, bool waits)
    {
        try
        {
            var method = owner.GetMethod(name, AnyMember);
            var machine = method?.GetCustomAttribute<AsyncStateMachineAttribute>()?.StateMachineType;
            var builder = machine?.GetField("<>t__builder", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)?.FieldType;
            if (machine is null || builder is null)
            {
                return false;
            }
            Prepare(MakeGeneric(builder.GetMethod("Start"), machine));
            var coreLib = typeof(AsyncTaskMethodBuilder).Assembly;
            Prepare(MakeGeneric(coreLib.GetType("System.Runtime.CompilerServices.AsyncMethodBuilderCore")?.GetMethod("Start", AnyMember), machine));
            if (!waits)
            {
                return true;
            }
            var awaiters = new List<Type>();
            foreach (var field in machine.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            {
                if (field.Name.StartsWith("<>u__", StringComparison.Ordinal))
                {
                    awaiters.Add(field.FieldType);
                    Prepare(MakeGeneric(builder.GetMethod("AwaitUnsafeOnCompleted"), field.FieldType, machine));
                }
            }
            PrepareBox(builder, machine, awaiters);
            return true;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException or MemberAccessException or TypeLoadException or BadImageFormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// The runtime's own side of a waiting async method (System.Private.CoreLib internals, found
    /// by name: where they differ, less is prepared): the Task-builder's await and
    /// GetStateMachineBox, and what of the box type runs.
    /// </summary>
    private static void PrepareBox(Type builder, Type machine, List<Type> awaiters)
    {
        var result = builder.IsGenericType
            ? builder.GetGenericArguments()[0]
            : typeof(AsyncTaskMethodBuilder).Assembly.GetType("System.Threading.Tasks.VoidTaskResult");
        if (result is null)
        {
            return;
        }
        var taskBuilder = typeof(AsyncTaskMethodBuilder<>).MakeGenericType(result);
        foreach (var method in taskBuilder.GetMethods(AnyMember))
        {
            if (!method.IsGenericMethodDefinition)
            {
                continue;
            }
            if (method.Name == "GetStateMachineBox")
            {
                Prepare(MakeGeneric(method, machine));
            }
            else if (method.Name == "AwaitUnsafeOnCompleted" && method.IsStatic)
            {
                // Two shapes: <TAwaiter, TStateMachine> for the first wait, <TAwaiter> once boxed.
                foreach (var awaiter in awaiters)
                {
                    Prepare(MakeGeneric(method, awaiter, machine) ?? MakeGeneric(method, awaiter));
                }
            }
        }
        var box = typeof(AsyncTaskMethodBuilder<>).GetNestedType("AsyncStateMachineBox`1", BindingFlags.NonPublic)?.MakeGenericType(result, machine);
        if (box is null)
        {
            return;
        }
        RuntimeHelpers.RunClassConstructor(box.TypeHandle);
        foreach (var constructor in box.GetConstructors(AnyMember))
        {
            Prepare(constructor);
        }
        foreach (var method in box.GetMethods(AnyMember))
        {
            if (Array.IndexOf(BoxMethods, method.Name) >= 0)
            {
                Prepare(method);
            }
        }
    }

    private static MethodInfo? MakeGeneric(MethodInfo? definition, params Type[] arguments) =>
        definition is { IsGenericMethodDefinition: true } && definition.GetGenericArguments().Length == arguments.Length
            ? definition.MakeGenericMethod(arguments)
            : null;

    /// <summary>Compiles one method (its first tier, as a first call would); a method that cannot be is skipped.</summary>
    private static void Prepare(MethodBase? method)
    {
        if (method is null || method.IsAbstract || method.ContainsGenericParameters)
        {
            return;
        }
        try
        {
            RuntimeHelpers.PrepareMethod(method.MethodHandle, Instantiation(method));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException or TypeLoadException or BadImageFormatException)
        {
        }
    }

    /// <summary>The declaring type's type arguments, then the method's, as PrepareMethod takes them.</summary>
    private static RuntimeTypeHandle[]? Instantiation(MethodBase method)
    {
        var typeArguments = method.DeclaringType is { IsGenericType: true } type ? type.GetGenericArguments() : Type.EmptyTypes;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : Type.EmptyTypes;
        if (typeArguments.Length + methodArguments.Length == 0)
        {
            return null;
        }
        var handles = new RuntimeTypeHandle[typeArguments.Length + methodArguments.Length];
        for (var i = 0; i < handles.Length; i++)
        {
            handles[i] = (i < typeArguments.Length ? typeArguments[i] : methodArguments[i - typeArguments.Length]).TypeHandle;
        }
        return handles;
    }

    /// <summary>
    /// Runs the framework code a dial runs, over a loopback pair nobody else sees: the connect
    /// with a linked, timed token; a CONNECT and an INFO written; the outbound buffer's chunk
    /// list and gathered send; the read the peer's side does; the connection table.
    /// </summary>
    private static async Task ExerciseAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(CancellationToken.None))
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(1));
            await socket.ConnectAsync(IPAddress.Loopback.ToString(), port, timeout.Token).ConfigureAwait(false);
        }
        using var accepted = await listener.AcceptAsync().ConfigureAwait(false);
        _ = socket.RemoteEndPoint as IPEndPoint;
        _ = socket.LocalEndPoint as IPEndPoint;

        var connections = new ConcurrentDictionary<ulong, object>();
        connections[1] = socket;
        _ = connections.Values.Count;
        connections.TryRemove(1, out _);

        var connect = new RouteConnect { Name = "warm-up", Cluster = "warm-up", Headers = true }.ToProtocolLine();
        var info = new RouteInfo { ServerId = "warm-up", Host = "127.0.0.1", Port = port, ConnectUrls = ["127.0.0.1:4222"], Nonce = "warm-up" }.ToProtocolLine();
        _ = RouteInfo.Parse(info.AsSpan(5, info.Length - 8));

        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var output = new OutboundBuffer(stream, socket, maxPending: 1 << 20);
        var writer = output.RunWriterAsync();
        output.Append(connect);
        output.Append(info);
        output.Flush();
        await using var peer = new NetworkStream(accepted, ownsSocket: false);
        var buffer = new byte[connect.Length + info.Length];
        var received = 0;
        while (received < buffer.Length)
        {
            var read = await peer.ReadAsync(buffer.AsMemory(received)).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }
            received += read;
        }
        output.Close(drain: true);
        await writer.ConfigureAwait(false);
    }
}
