using Persistence.Storage;

namespace Persistence.BTree;

/// <summary>
/// A value too large to live inline in a leaf, while it exists in memory. A checkpoint writes it to an overflow
/// extent and records the extent's first page; from then on readers may drop <see cref="Data"/> and read the extent.
/// </summary>
internal sealed class LargeValue(byte[] data)
{
    private long _extent;
    private volatile byte[]? _data = data;

    /// <summary>The value, until the checkpoint that wrote it releases the memory.</summary>
    public byte[]? Data => _data;

    public int Length { get; } = data.Length;

    /// <summary>The first page of the written extent, or <see cref="PageId.None"/>.</summary>
    public PageId Extent => new(Volatile.Read(ref _extent));

    /// <summary>Publishes the extent, then releases the in-memory copy (readers check <see cref="Data"/> first).</summary>
    public void MarkWritten(PageId extent, bool releaseMemory)
    {
        Volatile.Write(ref _extent, extent.Value);
        if (releaseMemory)
        {
            _data = null;
        }
    }
}
