namespace Persistence.Storage;

/// <summary>The kind of a page, stored in byte 4 of its header.</summary>
internal enum PageType : byte
{
    /// <summary>Never written, or unused.</summary>
    None = 0,

    /// <summary>One of the two meta pages (0 and 1).</summary>
    Meta = 1,

    /// <summary>A B+tree leaf: keys and values (or overflow references).</summary>
    Leaf = 2,

    /// <summary>A B+tree branch: separator keys and child page numbers.</summary>
    Branch = 3,

    /// <summary>A page of a large value's overflow extent.</summary>
    Overflow = 4,

    /// <summary>A page of the free-space bitmap.</summary>
    FreeMap = 5,

    /// <summary>A page of the keyspace catalog.</summary>
    Catalog = 6,
}
