using Persistence.Storage;

namespace Persistence.BTree;

/// <summary>A run of <see cref="Count"/> consecutive pages starting at <see cref="Start"/>.</summary>
internal readonly record struct Extent(PageId Start, int Count);
