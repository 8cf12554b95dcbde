namespace Nats.Core.Config;

/// <summary>
/// Where a key or value was written: the file (empty when parsing a string without a name),
/// the 1-based line and the 1-based column (counted in characters, a tab counts as one).
/// </summary>
public readonly record struct ConfPosition(string File, int Line, int Column)
{
    /// <summary>Formats as <c>file:line:col</c>, the way compilers and nats-server report it.</summary>
    public override string ToString()
    {
        if (Line <= 0)
            return File;
        return File.Length == 0 ? $"{Line}:{Column}" : $"{File}:{Line}:{Column}";
    }
}
