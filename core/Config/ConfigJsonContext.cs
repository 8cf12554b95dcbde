using System.Text.Json.Serialization;

namespace Nats.Core.Config;

/// <summary>
/// Compile-time JSON metadata of the configuration values <see cref="ConfigValues.Same{T}"/>
/// compares by their JSON: the options (every leaf <see cref="OptionsDiff"/> reaches is in the
/// graph of <see cref="ServerOptions"/>), account definitions, and the parsed values of sections
/// no kernel option claimed (<see cref="ServerOptions.Sections"/>, written by their runtime type).
/// No reflection at run time, so the native build needs neither reflection-based JSON nor the
/// kernel rooted whole; the JIT host uses the same metadata.
/// </summary>
[JsonSerializable(typeof(ServerOptions))]
[JsonSerializable(typeof(AccountConfig))]
[JsonSerializable(typeof(List<AccountConfig>))]
[JsonSerializable(typeof(IReadOnlyList<MappingConfig>))]
[JsonSerializable(typeof(ConfMap))]
[JsonSerializable(typeof(ConfList))]
[JsonSerializable(typeof(ConfString))]
[JsonSerializable(typeof(ConfInteger))]
[JsonSerializable(typeof(ConfFloat))]
[JsonSerializable(typeof(ConfBool))]
[JsonSerializable(typeof(ConfDateTime))]
internal sealed partial class ConfigJsonContext : JsonSerializerContext;
