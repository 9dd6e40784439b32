using System.Buffers.Binary;

namespace Persistence.Storage;

/// <summary>
/// One of the two meta pages (pages 0 and 1). A checkpoint writes the slot not holding the newest valid meta, so a
/// torn meta write leaves the previous checkpoint intact. On open, the valid meta with the highest sequence wins.
/// </summary>
/// <remarks>
/// <code>
/// offset size field
///      0   32 common header       checksum of [4, pageSize), type <see cref="PageType.Meta"/>, page id 0 or 1,
///                                 generation = checkpoint sequence (see <see cref="PageHeader"/>)
///     32    8 magic               "PERSISTD" (ASCII)
///     40    4 format version      <see cref="FormatVersion"/>; newer files are refused
///     44    4 page size           4096 … 65536, a power of two
///     48    8 checkpoint sequence increases by one per checkpoint
///     56    8 checkpoint version  the commit version the data pages contain
///     64    8 WAL start LSN       replay starts here
///     72    4 WAL chain seed      frame checksum of the last frame before the start LSN
///     76    4 WAL segment size    bytes per segment file
///     80    8 page count          pages in the data file at the checkpoint
///     88    8 catalog page        first page of the catalog chain (0: no keyspaces)
///     96    4 next keyspace id
///    100    4 bitmap page count   n
///    104    8 database id         random, chosen at creation
///    112    8 created             Unix milliseconds, at creation
///    120    8 clock high-water    UTC ticks: the latest snapshot time handed out before the checkpoint (0: none;
///                                 files written before it was added hold 0 there)
///    128  8×n bitmap pages        where the free-space bitmap pages are, in order
/// </code>
/// </remarks>
internal sealed record MetaPage
{
    public const ulong Magic = 0x4454_5349_5352_4550; // "PERSISTD" read as little-endian
    public const int FormatVersion = 3;

    /// <summary>
    /// The oldest format this version reads. Format 1 stored 32- and 64-bit integer key parts in fixed width (format 2
    /// in variable length, <see cref="Serialization.KeyWriter.WriteInt64"/>); formats 1 and 2 gave every leaf cell a
    /// fixed 4-byte header (format 3 a variable-length one, <see cref="BTree.LeafPage"/>).
    /// </summary>
    public const int OldestReadableVersion = 3;
    public const int BitmapListOffset = 128;
    public const int MinPageSize = 4096;
    public const int MaxPageSize = 65536;

    public required int PageSize { get; init; }

    public required long Sequence { get; init; }

    public required long CheckpointVersion { get; init; }

    public required long WalStartLsn { get; init; }

    public required uint WalChainSeed { get; init; }

    public required int WalSegmentSize { get; init; }

    public required long PageCount { get; init; }

    public required PageId CatalogPage { get; init; }

    public required int NextKeyspaceId { get; init; }

    public required PageId[] BitmapPages { get; init; }

    public required long DatabaseId { get; init; }

    public required long CreatedUnixMs { get; init; }

    /// <summary>
    /// The latest snapshot time (UTC ticks) handed out before this checkpoint, or 0. The open starts the snapshot clock
    /// there, so a clock set back across a restart does not show documents that had already expired.
    /// </summary>
    public long ClockHighWaterTicks { get; init; }

    public static int MaxBitmapPages(int pageSize) => (pageSize - BitmapListOffset) / 8;

    public static bool IsValidPageSize(int size) => size is >= MinPageSize and <= MaxPageSize && (size & (size - 1)) == 0;

    public byte[] Encode(PageId slot)
    {
        var page = new byte[PageSize];
        page[PageHeader.TypeOffset] = (byte)PageType.Meta;
        BinaryPrimitives.WriteUInt64LittleEndian(page.AsSpan(32), Magic);
        BinaryPrimitives.WriteInt32LittleEndian(page.AsSpan(40), FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(page.AsSpan(44), PageSize);
        BinaryPrimitives.WriteInt64LittleEndian(page.AsSpan(48), Sequence);
        BinaryPrimitives.WriteInt64LittleEndian(page.AsSpan(56), CheckpointVersion);
        BinaryPrimitives.WriteInt64LittleEndian(page.AsSpan(64), WalStartLsn);
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(72), WalChainSeed);
        BinaryPrimitives.WriteInt32LittleEndian(page.AsSpan(76), WalSegmentSize);
        BinaryPrimitives.WriteInt64LittleEndian(page.AsSpan(80), PageCount);
        BinaryPrimitives.WriteInt64LittleEndian(page.AsSpan(88), CatalogPage.Value);
        BinaryPrimitives.WriteInt32LittleEndian(page.AsSpan(96), NextKeyspaceId);
        BinaryPrimitives.WriteInt32LittleEndian(page.AsSpan(100), BitmapPages.Length);
        BinaryPrimitives.WriteInt64LittleEndian(page.AsSpan(104), DatabaseId);
        BinaryPrimitives.WriteInt64LittleEndian(page.AsSpan(112), CreatedUnixMs);
        BinaryPrimitives.WriteInt64LittleEndian(page.AsSpan(120), ClockHighWaterTicks);
        for (var i = 0; i < BitmapPages.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(page.AsSpan(BitmapListOffset + (8 * i)), BitmapPages[i].Value);
        }

        PageHeader.Seal(page, slot, Sequence);
        return page;
    }

    /// <summary>
    /// Reads and decodes both meta slots of a data file: slot 0 at offset 0, slot 1 one page further (at slot 0's page
    /// size or, when slot 0 is not valid, at each legal page size in turn). A slot is null when it is not a valid meta
    /// page; <paramref name="signed"/> tells whether either slot at least carries the signature.
    /// </summary>
    public static (MetaPage? First, MetaPage? Second) ReadSlots(IStorageFile file, out bool signed)
    {
        var buffer = new byte[(int)Math.Min(file.Length, 2 * MaxPageSize)];
        file.Read(0, buffer);
        var first = TryDecode(buffer, PageId.None, out signed);
        MetaPage? second = null;
        int[] sizes = first is null ? [4096, 8192, 16384, 32768, 65536] : [first.PageSize];
        foreach (var size in sizes)
        {
            if (size >= buffer.Length)
            {
                continue;
            }

            second = TryDecode(buffer.AsSpan(size), new PageId(1), out var magic);
            signed |= magic;
            if (second is not null)
            {
                break;
            }
        }

        return (first, second);
    }

    /// <summary>
    /// Decodes a meta page. Returns null when the page is not a valid meta page (torn, zeroed, or another format);
    /// sets <paramref name="hasMagic"/> when the magic number at least matched, and throws for a newer format version.
    /// </summary>
    public static MetaPage? TryDecode(ReadOnlySpan<byte> page, PageId slot, out bool hasMagic)
    {
        hasMagic = page.Length >= 128 && BinaryPrimitives.ReadUInt64LittleEndian(page[32..]) == Magic;
        if (!hasMagic)
        {
            return null;
        }

        var version = BinaryPrimitives.ReadInt32LittleEndian(page[40..]);
        var pageSize = BinaryPrimitives.ReadInt32LittleEndian(page[44..]);
        if (!IsValidPageSize(pageSize) || page.Length < pageSize)
        {
            return null;
        }

        page = page[..pageSize];
        if (BinaryPrimitives.ReadUInt32LittleEndian(page) != Checksum.Compute(page[4..])
            || PageHeader.GetPageId(page) != slot
            || PageHeader.GetType(page) != PageType.Meta)
        {
            return null;
        }

        if (version > FormatVersion)
        {
            throw new DatabaseFormatException(
                ErrorCode.UnsupportedFormatVersion,
                $"The database was written by format version {version}; this version of Persistence reads formats {OldestReadableVersion} to {FormatVersion}. Upgrade Persistence to open it.");
        }

        if (version < OldestReadableVersion)
        {
            throw new DatabaseFormatException(
                ErrorCode.UnsupportedFormatVersion,
                $"The database was written by format version {version}, a pre-release format whose pages this version of Persistence cannot read (it reads formats {OldestReadableVersion} to {FormatVersion}). Export its documents with the version that wrote it and load them into a new database.");
        }

        var bitmapCount = BinaryPrimitives.ReadInt32LittleEndian(page[100..]);
        if (bitmapCount < 0 || bitmapCount > MaxBitmapPages(pageSize))
        {
            return null;
        }

        var bitmaps = new PageId[bitmapCount];
        for (var i = 0; i < bitmapCount; i++)
        {
            bitmaps[i] = new PageId(BinaryPrimitives.ReadInt64LittleEndian(page[(BitmapListOffset + (8 * i))..]));
        }

        return new MetaPage
        {
            PageSize = pageSize,
            Sequence = BinaryPrimitives.ReadInt64LittleEndian(page[48..]),
            CheckpointVersion = BinaryPrimitives.ReadInt64LittleEndian(page[56..]),
            WalStartLsn = BinaryPrimitives.ReadInt64LittleEndian(page[64..]),
            WalChainSeed = BinaryPrimitives.ReadUInt32LittleEndian(page[72..]),
            WalSegmentSize = BinaryPrimitives.ReadInt32LittleEndian(page[76..]),
            PageCount = BinaryPrimitives.ReadInt64LittleEndian(page[80..]),
            CatalogPage = new PageId(BinaryPrimitives.ReadInt64LittleEndian(page[88..])),
            NextKeyspaceId = BinaryPrimitives.ReadInt32LittleEndian(page[96..]),
            BitmapPages = bitmaps,
            DatabaseId = BinaryPrimitives.ReadInt64LittleEndian(page[104..]),
            CreatedUnixMs = BinaryPrimitives.ReadInt64LittleEndian(page[112..]),
            ClockHighWaterTicks = Math.Max(0, BinaryPrimitives.ReadInt64LittleEndian(page[120..])),
        };
    }
}
