using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Nats.AuthJwt.Jwt.Claims;
using Nats.AuthJwt.Jwt.Model;

namespace Nats.AuthJwt.Jwt.Json;

/// <summary>The source-generated contracts of every JWT type.</summary>
[JsonSerializable(typeof(JwtHeader))]
[JsonSerializable(typeof(StandardClaims))]
[JsonSerializable(typeof(OperatorClaims))]
[JsonSerializable(typeof(AccountClaims))]
[JsonSerializable(typeof(UserClaims))]
[JsonSerializable(typeof(ActivationClaims))]
[JsonSerializable(typeof(AuthorizationRequestClaims))]
[JsonSerializable(typeof(AuthorizationResponseClaims))]
[JsonSerializable(typeof(GenericClaims))]
[JsonSerializable(typeof(OperatorNats))]
[JsonSerializable(typeof(AccountNats))]
[JsonSerializable(typeof(UserNats))]
[JsonSerializable(typeof(ActivationNats))]
[JsonSerializable(typeof(UserScope))]
[JsonSerializable(typeof(int))]
internal sealed partial class JwtJsonContext : JsonSerializerContext;

/// <summary>
/// The one set of options JWT JSON goes through: source-generated contracts, Go's
/// <c>omitempty</c>, Go's string escaping, and Go's case-insensitive field matching on read.
/// </summary>
internal static class JwtJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        TypeInfoResolver = JwtJsonContext.Default.WithAddedModifier(OmitEmptyAttribute.Apply),
        Encoder = GoJsonEncoder.Instance,
        PropertyNameCaseInsensitive = true,
    };

    public static JsonTypeInfo<T> Info<T>() => (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));

    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Info<T>());

    public static T Deserialize<T>(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, Info<T>()) ?? throw new JsonException("json: null claims");

    public static T Deserialize<T>(JsonElement json) =>
        json.Deserialize(Info<T>()) ?? throw new JsonException("json: null claims");
}
