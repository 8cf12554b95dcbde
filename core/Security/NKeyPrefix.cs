namespace Nats.Core.Security;

/// <summary>
/// The role byte that leads every encoded nkey, exactly as github.com/nats-io/nkeys defines it.
/// Each value is a multiple of 8 so that, once base32 encoded, the key starts with a fixed letter
/// (the letter is named on each member).
/// </summary>
public enum NKeyPrefix : byte
{
    /// <summary>Account public key ('A').</summary>
    Account = 0,

    /// <summary>Cluster public key ('C').</summary>
    Cluster = 2 << 3,

    /// <summary>Server public key ('N').</summary>
    Server = 13 << 3,

    /// <summary>Operator public key ('O').</summary>
    Operator = 14 << 3,

    /// <summary>Encoded Ed25519 private key ('P').</summary>
    Private = 15 << 3,

    /// <summary>Seed ('S'); the second letter names the role of the key pair it derives.</summary>
    Seed = 18 << 3,

    /// <summary>User public key ('U').</summary>
    User = 20 << 3,

    /// <summary>X25519 curve public key ('X'); recognised but not usable for signing here.</summary>
    Curve = 23 << 3,

    /// <summary>What <see cref="NKeys.GetPrefix"/> answers for anything it cannot classify ('Z').</summary>
    Unknown = 25 << 3,
}

/// <summary>Prefix classification rules shared by the nkey codecs.</summary>
internal static class NKeyPrefixRules
{
    /// <summary>nkeys' checkValidPrefixByte: every defined prefix, seed and private included.</summary>
    public static bool IsValid(byte prefix) => (NKeyPrefix)prefix switch
    {
        NKeyPrefix.Operator or NKeyPrefix.Server or NKeyPrefix.Cluster or NKeyPrefix.Account
            or NKeyPrefix.User or NKeyPrefix.Seed or NKeyPrefix.Private or NKeyPrefix.Curve => true,
        _ => false,
    };

    /// <summary>nkeys' checkValidPublicPrefixByte: the roles a public key (or a seed's role) may have.</summary>
    public static bool IsPublic(byte prefix) => (NKeyPrefix)prefix switch
    {
        NKeyPrefix.Operator or NKeyPrefix.Server or NKeyPrefix.Cluster or NKeyPrefix.Account
            or NKeyPrefix.User or NKeyPrefix.Curve => true,
        _ => false,
    };
}
