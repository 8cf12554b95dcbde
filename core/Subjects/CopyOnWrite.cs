namespace Nats.Core.Subjects;

/// <summary>
/// New arrays one element longer or shorter than a given one. Match results and queue groups
/// are immutable (readers iterate them without locks), so a change builds a copy.
/// </summary>
internal static class CopyOnWrite
{
    /// <summary>A copy of <paramref name="array"/> with <paramref name="item"/> at the end.</summary>
    public static T[] Append<T>(T[] array, T item)
    {
        var copy = new T[array.Length + 1];
        array.CopyTo(copy, 0);
        copy[^1] = item;
        return copy;
    }

    /// <summary>A copy of <paramref name="array"/> without the element at <paramref name="index"/>.</summary>
    public static T[] RemoveAt<T>(T[] array, int index)
    {
        var copy = new T[array.Length - 1];
        Array.Copy(array, 0, copy, 0, index);
        Array.Copy(array, index + 1, copy, index, copy.Length - index);
        return copy;
    }
}
