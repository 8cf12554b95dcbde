namespace VersionedDep;

/// <summary>What the isolation tests look at: which copy of the library a plugin got.</summary>
public static class Greeting
{
    /// <summary>The assembly version of the copy in use.</summary>
    public static string Version => typeof(Greeting).Assembly.GetName().Version!.ToString();

    /// <summary>Where the copy in use was loaded from.</summary>
    public static string Location => typeof(Greeting).Assembly.Location;

#if DEP_V1
    public static string Hello() => "hello from v1";
#else
    public static string Hello() => "hello from v2";

    /// <summary>Only in 2.x.</summary>
    public static string OnlyInV2() => "v2-only";
#endif
}
