namespace Nats.Core.Config;

/// <summary>The type of a parsed config value.</summary>
public enum ConfValueKind
{
    /// <summary>Quoted, bare or block string.</summary>
    String,
    /// <summary>64-bit integer, possibly written with a size suffix (<c>1MB</c>).</summary>
    Integer,
    /// <summary>Floating point number.</summary>
    Float,
    /// <summary>Unquoted true/false/yes/no/on/off.</summary>
    Bool,
    /// <summary>ISO 8601 Zulu date-time such as <c>2016-05-04T18:53:41Z</c>.</summary>
    DateTime,
    /// <summary><c>{ ... }</c> block.</summary>
    Map,
    /// <summary><c>[ ... ]</c> array.</summary>
    List,
    /// <summary>Not a value kind in files; used in type errors from <see cref="ConfValue.AsDuration()"/>.</summary>
    Duration,
}
