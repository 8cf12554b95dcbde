using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Nats.Core.Monitoring;

/// <summary>
/// A monitoring request: the query of e.g. <c>/connz?sort=bytes_to&amp;limit=10</c>. The typed
/// readers accept what Go's <c>strconv</c> accepts and reject the rest with nats-server's
/// error text (a 400 answer), so scripts see the same errors from both servers.
/// </summary>
public sealed class MonitoringRequest
{
    private readonly Func<string, string?> _lookup;

    /// <summary>A request with the given query parameters (for in-process calls and tests).</summary>
    public MonitoringRequest(IEnumerable<KeyValuePair<string, string>>? query = null)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in query ?? [])
        {
            // Go's Query().Get returns the first value of a repeated parameter.
            values.TryAdd(key, value);
        }
        _lookup = name => values.GetValueOrDefault(name);
    }

    internal MonitoringRequest(IQueryCollection query)
    {
        _lookup = name => query.TryGetValue(name, out var v) && v.Count > 0 ? v[0] : null;
    }

    /// <summary>A query parameter, or null when absent.</summary>
    public string? this[string name] => _lookup(name);

    /// <summary>A query parameter, or null when absent or empty (Go treats both alike).</summary>
    public string? Get(string name) => this[name] is { Length: > 0 } value ? value : null;

    /// <summary>
    /// A boolean parameter as Go's <c>strconv.ParseBool</c> reads it (<c>1</c>, <c>t</c>,
    /// <c>true</c>, <c>0</c>, <c>f</c>, <c>false</c>…); absent is false.
    /// </summary>
    /// <exception cref="MonitoringException">The value is not a boolean.</exception>
    public bool GetBool(string name)
    {
        var value = Get(name);
        return value switch
        {
            null => false,
            "1" or "t" or "T" or "true" or "TRUE" or "True" => true,
            "0" or "f" or "F" or "false" or "FALSE" or "False" => false,
            _ => throw new MonitoringException($"Error decoding boolean for '{name}': strconv.ParseBool: parsing \"{value}\": invalid syntax"),
        };
    }

    /// <summary>An integer parameter (Go's <c>strconv.Atoi</c>); absent is <paramref name="fallback"/>.</summary>
    /// <exception cref="MonitoringException">The value is not an integer.</exception>
    public int GetInt(string name, int fallback = 0)
    {
        var value = Get(name);
        if (value is null)
        {
            return fallback;
        }
        if (IsSignedDigits(value) && int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var result))
        {
            return result;
        }
        var reason = IsSignedDigits(value) ? "value out of range" : "invalid syntax";
        throw new MonitoringException($"Error decoding int for '{name}': strconv.Atoi: parsing \"{value}\": {reason}");
    }

    /// <summary>An unsigned 64-bit parameter (Go's <c>strconv.ParseUint</c>); absent is 0.</summary>
    /// <exception cref="MonitoringException">The value is not an unsigned integer.</exception>
    public ulong GetUInt64(string name)
    {
        var value = Get(name);
        if (value is null)
        {
            return 0;
        }
        if (value.All(char.IsAsciiDigit) && ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var result))
        {
            return result;
        }
        var reason = value.All(char.IsAsciiDigit) ? "value out of range" : "invalid syntax";
        throw new MonitoringException($"Error decoding uint64 for '{name}': strconv.ParseUint: parsing \"{value}\": {reason}");
    }

    private static bool IsSignedDigits(string value)
    {
        var digits = value.AsSpan(value[0] is '+' or '-' ? 1 : 0);
        return digits.Length > 0 && !digits.ContainsAnyExceptInRange('0', '9');
    }
}

/// <summary>
/// Thrown by an endpoint to refuse a request: the answer is <see cref="Status"/> with the
/// message as plain text, as nats-server answers bad parameters.
/// </summary>
public sealed class MonitoringException : Exception
{
    /// <summary>Creates the refusal.</summary>
    public MonitoringException(string message, int status = 400)
        : base(message)
    {
        Status = status;
    }

    /// <summary>The HTTP status of the answer.</summary>
    public int Status { get; }
}
