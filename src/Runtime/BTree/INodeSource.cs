using Persistence.Storage;

namespace Persistence.BTree;

/// <summary>Where trees get the nodes and large values that are not in memory: the page cache over the data file.</summary>
internal interface INodeSource
{
    int PageSize { get; }

    /// <summary>Where new nodes get their page buffers (recycled ones first).</summary>
    PagePool Pages { get; }

    /// <summary>The verified leaf or branch page <paramref name="id"/>, from the cache or from disk.</summary>
    Node Load(PageId id);

    /// <summary>The verified large value of <paramref name="length"/> bytes whose extent starts at <paramref name="first"/>.</summary>
    byte[] ReadOverflow(PageId first, int length);
}
