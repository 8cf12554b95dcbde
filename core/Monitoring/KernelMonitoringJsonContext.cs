using System.Text.Json.Serialization;
using Nats.Core.Cluster;
using Nats.Core.SystemServices;

namespace Nats.Core.Monitoring;

/// <summary>
/// Compile-time JSON metadata of the kernel's monitoring bodies, so that a native (NativeAOT)
/// build writes them without reflection. Only the metadata is generated: the options
/// (<see cref="MonitoringJson"/>: Go's encoder, RFC 3339 times, nulls left out, indented or not)
/// are applied at run time, so the JSON is the same as reflection wrote it. A type reached only
/// through an <c>object</c> member (the <c>/varz</c> sections) is listed here or in its plugin's
/// context.
/// </summary>
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(Varz))]
[JsonSerializable(typeof(EmptySection))]
[JsonSerializable(typeof(Connz))]
[JsonSerializable(typeof(Routez))]
[JsonSerializable(typeof(Subsz))]
[JsonSerializable(typeof(Accountz))]
[JsonSerializable(typeof(AccountStatz))]
[JsonSerializable(typeof(HealthStatus))]
// $SYS messages are written with the same options (SystemServiceHost.Serialize): the events a
// server sends while idle (CONNECT, DISCONNECT, STATSZ) need no reflection either.
[JsonSerializable(typeof(ServerStatsMessage))]
[JsonSerializable(typeof(ConnectEventMessage))]
[JsonSerializable(typeof(DisconnectEventMessage))]
[JsonSerializable(typeof(AccountConnectionsMessage))]
[JsonSerializable(typeof(SystemApiResponse))]
[JsonSerializable(typeof(ServerIdentity))]
// The data of $SYS requests that is not a monitoring body (a native build has no reflection-based
// JSON to fall back on): $SYS.REQ.USER.INFO and an account's LEAFZ without the leafnode plugin.
[JsonSerializable(typeof(UserInfo))]
[JsonSerializable(typeof(AccountPageRequests.EmptyLeafz))]
[JsonSerializable(typeof(System.Text.Json.JsonElement))]
internal sealed partial class KernelMonitoringJsonContext : JsonSerializerContext;
