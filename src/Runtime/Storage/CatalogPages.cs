using System.Buffers.Binary;
using System.Text;

namespace Persistence.Storage;

/// <summary>
/// The persisted keyspace catalog: a chain of <see cref="PageType.Catalog"/> pages, rewritten by every checkpoint.
/// </summary>
/// <remarks>
/// <code>
/// offset size field
///      0   32 common page header (count = entries in this page)
///     32    8 next page of the chain (0 = last)
///     40      entries, each:
///              +0  4 keyspace id
///              +4  8 root page (0 = empty tree)
///             +12  8 key count
///             +20  2 name length (UTF-8 bytes)
///             +22  n name
/// </code>
/// </remarks>
internal static class CatalogPages
{
    private const int NextOffset = PageHeader.Size;
    private const int EntriesOffset = PageHeader.Size + 8;
    private const int EntryHeader = 22;

    /// <summary>Reads and verifies the chain; returns the records and the pages the chain occupies.</summary>
    public static (List<CatalogRecord> Records, List<PageId> Pages) Read(PageStore store, PageId first)
    {
        var records = new List<CatalogRecord>();
        var pages = new List<PageId>();
        var page = new byte[store.PageSize];
        var seen = new HashSet<long>();
        for (var id = first; !id.IsNone; id = new PageId(BinaryPrimitives.ReadInt64LittleEndian(page.AsSpan(NextOffset))))
        {
            if (!seen.Add(id.Value))
            {
                throw PageHeader.Corrupt(store.Path, id, "the catalog chain loops");
            }

            store.ReadVerified(id, page, PageType.Catalog);
            pages.Add(id);
            var at = EntriesOffset;
            for (var i = 0; i < PageHeader.GetCount(page); i++)
            {
                var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(page.AsSpan(at + 20));
                if (at + EntryHeader + nameLength > page.Length)
                {
                    throw PageHeader.Corrupt(store.Path, id, "a catalog entry runs past the end of the page");
                }

                records.Add(new CatalogRecord(
                    BinaryPrimitives.ReadInt32LittleEndian(page.AsSpan(at)),
                    new PageId(BinaryPrimitives.ReadInt64LittleEndian(page.AsSpan(at + 4))),
                    BinaryPrimitives.ReadInt64LittleEndian(page.AsSpan(at + 12)),
                    Encoding.UTF8.GetString(page.AsSpan(at + EntryHeader, nameLength))));
                at += EntryHeader + nameLength;
            }
        }

        return (records, pages);
    }

    /// <summary>How many pages <paramref name="records"/> need.</summary>
    public static int PagesNeeded(IReadOnlyList<CatalogRecord> records, int pageSize) => Layout(records, pageSize).Count;

    /// <summary>Encodes the records into sealed pages at <paramref name="locations"/> (as many as <see cref="PagesNeeded"/>).</summary>
    public static List<(PageId Id, ReadOnlyMemory<byte> Bytes)> Encode(
        IReadOnlyList<CatalogRecord> records, IReadOnlyList<PageId> locations, int pageSize, long generation)
    {
        var layout = Layout(records, pageSize);
        var pages = new List<(PageId, ReadOnlyMemory<byte>)>();
        for (var p = 0; p < layout.Count; p++)
        {
            var page = new byte[pageSize];
            PageHeader.Initialize(page, PageType.Catalog, 0);
            var (start, count) = layout[p];
            PageHeader.SetCount(page, count);
            var next = p + 1 < layout.Count ? locations[p + 1] : PageId.None;
            BinaryPrimitives.WriteInt64LittleEndian(page.AsSpan(NextOffset), next.Value);
            var at = EntriesOffset;
            for (var i = start; i < start + count; i++)
            {
                var record = records[i];
                BinaryPrimitives.WriteInt32LittleEndian(page.AsSpan(at), record.Id);
                BinaryPrimitives.WriteInt64LittleEndian(page.AsSpan(at + 4), record.Root.Value);
                BinaryPrimitives.WriteInt64LittleEndian(page.AsSpan(at + 12), record.Count);
                var length = Encoding.UTF8.GetBytes(record.Name, page.AsSpan(at + EntryHeader));
                BinaryPrimitives.WriteUInt16LittleEndian(page.AsSpan(at + 20), (ushort)length);
                at += EntryHeader + length;
            }

            PageHeader.Seal(page, locations[p], generation);
            pages.Add((locations[p], page));
        }

        return pages;
    }

    private static List<(int Start, int Count)> Layout(IReadOnlyList<CatalogRecord> records, int pageSize)
    {
        var layout = new List<(int, int)>();
        var start = 0;
        var used = EntriesOffset;
        for (var i = 0; i < records.Count; i++)
        {
            var size = EntryHeader + Encoding.UTF8.GetByteCount(records[i].Name);
            if (used + size > pageSize)
            {
                layout.Add((start, i - start));
                start = i;
                used = EntriesOffset;
            }

            used += size;
        }

        if (records.Count > 0)
        {
            layout.Add((start, records.Count - start));
        }

        return layout;
    }
}

/// <summary>One keyspace as the catalog persists it.</summary>
internal readonly record struct CatalogRecord(int Id, PageId Root, long Count, string Name);
