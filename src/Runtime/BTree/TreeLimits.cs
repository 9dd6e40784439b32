using Persistence.Storage;

namespace Persistence.BTree;

/// <summary>
/// Size limits that follow from the page size: any two maximal cells fit in one page, so a split always succeeds.
/// </summary>
internal readonly record struct TreeLimits(int PageSize)
{
    /// <summary>The largest value supported at all, whatever the page size: 64 MiB.</summary>
    public const int MaxValueSize = 64 * 1024 * 1024;

    /// <summary>Usable bytes per page.</summary>
    public int Usable => PageSize - PageHeader.Size;

    /// <summary>Keys may be up to one eighth of a page (1 KiB with 8 KiB pages).</summary>
    public int MaxKeySize => PageSize / 8;

    /// <summary>Values up to a quarter page are stored in the leaf; larger ones in overflow extents.</summary>
    public int MaxInlineValue => Usable / 4;

    /// <summary>Below this many used bytes a node is merged with a sibling when the two fit in one page.</summary>
    public int MergeThreshold => Usable / 4;
}
