using Persistence.Storage;

namespace Persistence.BTree;

/// <summary>
/// Where a large value lives: the first page of its overflow extent once written, and otherwise the index of the
/// in-memory <see cref="LargeValue"/> in its leaf node.
/// </summary>
internal readonly record struct OverflowRef(PageId FirstPage, int Length, int Handle);
