using System.Text.Json.Serialization;
using Nats.Core.SystemServices;

namespace Nats.AuthJwt.SystemAccount;

/// <summary>nats-server's <c>ServerAPIClaimUpdateResponse</c>: the answer to claims updates and deletes.</summary>
public sealed class ClaimUpdateResponse
{
    [JsonPropertyName("server")] public required SystemServerInfo Server { get; init; }

    [JsonPropertyName("data"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public ClaimUpdateStatus? Data { get; init; }

    [JsonPropertyName("error"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public ClaimUpdateError? Error { get; init; }
}

/// <summary>nats-server's <c>ClaimUpdateStatus</c>.</summary>
public sealed class ClaimUpdateStatus
{
    [JsonPropertyName("account"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public string? Account { get; init; }

    [JsonPropertyName("code"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public int Code { get; init; }

    [JsonPropertyName("message"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public string? Message { get; init; }
}

/// <summary>nats-server's <c>ClaimUpdateError</c>.</summary>
public sealed class ClaimUpdateError
{
    [JsonPropertyName("account"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public string? Account { get; init; }

    [JsonPropertyName("code")] public int Code { get; init; }

    [JsonPropertyName("description"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public string? Description { get; init; }
}

/// <summary>nats-server's answer to <c>$SYS.REQ.CLAIMS.LIST</c>: the account ids in <c>data</c>.</summary>
public sealed class ClaimsListResponse
{
    [JsonPropertyName("server")] public required SystemServerInfo Server { get; init; }

    [JsonPropertyName("data")] public required IReadOnlyList<string> Data { get; init; }
}
