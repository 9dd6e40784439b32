namespace Persistence.Storage;

/// <summary>The number of a page in the data file (byte offset = number × page size). Pages 0 and 1 are the meta pages.</summary>
internal readonly record struct PageId(long Value)
{
    /// <summary>"No page": an empty tree, or a node that has not been written yet.</summary>
    public static readonly PageId None = new(0);

    public bool IsNone => Value == 0;

    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
