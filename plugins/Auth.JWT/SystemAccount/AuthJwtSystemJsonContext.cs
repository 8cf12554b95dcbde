using System.Text.Json.Serialization;

namespace Nats.AuthJwt.SystemAccount;

/// <summary>
/// Compile-time JSON metadata of the <c>$SYS</c> answers this plugin publishes (claims updates and
/// deletes, <c>$SYS.REQ.CLAIMS.LIST</c>), added to the kernel's monitoring JSON
/// (<c>AddJsonTypes</c>), whose options <c>$SYS</c> messages are written with, so that a native
/// (NativeAOT) build, which has no reflection-based JSON, writes them; the JSON is unchanged.
/// </summary>
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(ClaimUpdateResponse))]
[JsonSerializable(typeof(ClaimsListResponse))]
internal sealed partial class AuthJwtSystemJsonContext : JsonSerializerContext;
