namespace Nats.Core.Security;

/// <summary>
/// A malformed or unusable nkey. Messages are the ones github.com/nats-io/nkeys uses
/// (e.g. "nkeys: invalid checksum") so logs read the same as nats-server's.
/// </summary>
public sealed class NKeyException : FormatException
{
    internal const string InvalidPrefixByte = "nkeys: invalid prefix byte";
    internal const string InvalidPublicKey = "nkeys: invalid public key";
    internal const string InvalidSeedLen = "nkeys: invalid seed length";
    internal const string InvalidSeed = "nkeys: invalid seed";
    internal const string InvalidEncoding = "nkeys: invalid encoded key";
    internal const string InvalidChecksum = "nkeys: invalid checksum";
    internal const string CurveNotSupported = "nkeys: x25519 curve keys are not supported";

    /// <summary>Creates the exception with one of the nkeys error messages.</summary>
    public NKeyException(string message) : base(message)
    {
    }
}
