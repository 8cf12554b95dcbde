namespace Nats.Host.Cli;

/// <summary>The value types Go's <c>flag</c> package offers and nats-server uses.</summary>
internal enum FlagKind
{
    /// <summary><c>-D</c>, <c>-D=false</c>; never takes the next argument.</summary>
    Bool,

    /// <summary><c>-c file</c>, <c>-c=file</c>.</summary>
    String,

    /// <summary>A Go <c>int</c> (64-bit), parsed like <c>strconv.ParseInt(s, 0, 64)</c>.</summary>
    Int,
}
