using Persistence.BTree;

namespace Persistence.Storage;

/// <summary>The node source of an in-memory database: every node lives in memory, so nothing is ever loaded.</summary>
internal sealed class InMemoryNodeSource(int pageSize, int poolPages) : INodeSource
{
    public int PageSize => pageSize;

    public PagePool Pages { get; } = new(pageSize, poolPages);

    public Node Load(PageId id) => throw new System.Diagnostics.UnreachableException($"An in-memory database has no page {id}.");

    public byte[] ReadOverflow(PageId first, int length) => throw new System.Diagnostics.UnreachableException("An in-memory database has no overflow pages.");
}
