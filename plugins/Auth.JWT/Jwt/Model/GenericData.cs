using System.Text.Json;

namespace Nats.AuthJwt.Jwt.Model;

/// <summary>The <c>nats</c> map of a generic claim, sorted by key as Go writes maps.</summary>
public sealed class GenericData() : SortedDictionary<string, JsonElement>(StringComparer.Ordinal);
