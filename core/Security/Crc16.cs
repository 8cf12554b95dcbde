namespace Nats.Core.Security;

/// <summary>
/// CRC-16 as nkeys uses it: the CCITT polynomial 0x1021, initial value 0, no reflection, no
/// final xor (the "XMODEM" variant). The table is built at start-up rather than pasted so
/// that its origin is evident; a test pins it against nkeys' literal table.
/// </summary>
internal static class Crc16
{
    private static readonly ushort[] Table = BuildTable();

    /// <summary>The checksum of <paramref name="data"/>.</summary>
    public static ushort Compute(ReadOnlySpan<byte> data)
    {
        ushort crc = 0;
        foreach (var b in data)
        {
            crc = (ushort)((crc << 8) ^ Table[((crc >> 8) ^ b) & 0xFF]);
        }
        return crc;
    }

    /// <summary>Table entry <paramref name="index"/>; exposed for the test that pins it.</summary>
    internal static ushort TableEntry(int index) => Table[index];

    private static ushort[] BuildTable()
    {
        var table = new ushort[256];
        for (var i = 0; i < 256; i++)
        {
            var crc = (ushort)(i << 8);
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x8000) != 0 ? (ushort)((crc << 1) ^ 0x1021) : (ushort)(crc << 1);
            }
            table[i] = crc;
        }
        return table;
    }
}
