using Persistence.BTree;
using Persistence.Storage;

namespace Persistence.Salvage;

/// <summary>Receives one entry of a salvaged tree, in key order; the spans are valid only during the call.</summary>
internal delegate void EntrySink(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);

/// <summary>
/// Reads the keyspaces' trees of a checkpoint from disk for salvage, handing over every entry it can prove intact and
/// skipping what it cannot. A tree page is used only when it verifies (checksum, page number, type, a generation the
/// checkpoint allows, as every read does) and its structure holds (its level is its parent's minus one, its cells lie
/// inside it, its keys ascend within its parent's bounds, as the consistency checker demands); otherwise it is skipped
/// with everything under it, before any of its entries is handed over. A value whose overflow pages fail verification
/// is skipped with its key: a key is never handed over without its value. Each page is used once, whoever else refers
/// to it.
/// </summary>
internal sealed class TreeSalvage(PageStore store, long pageCount, SalvageFindings findings)
{
    private const int MaxKeyBytesShown = 32;
    private readonly PageBitmap _reached = new(pageCount);
    private readonly List<byte[]> _buffers = []; // one page buffer per tree level
    private readonly int _maxKeySize = new TreeLimits(store.PageSize).MaxKeySize;

    /// <summary>Hands every intact entry of <paramref name="record"/>'s tree to <paramref name="sink"/>, counting what it skips in <paramref name="tally"/>.</summary>
    public void Walk(CatalogRecord record, KeyspaceTally tally, EntrySink sink)
    {
        if (!record.Root.IsNone)
        {
            Walk(record.Root, depth: 0, expectedLevel: -1, low: null, high: null, tally, sink);
        }
    }

    private void Walk(PageId id, int depth, int expectedLevel, byte[]? low, byte[]? high, KeyspaceTally tally, EntrySink sink)
    {
        if (depth == _buffers.Count)
        {
            _buffers.Add(new byte[store.PageSize]);
        }

        var page = _buffers[depth];
        var problem = Read(id, page) ?? Check(page, expectedLevel, low, high);
        if (problem is not null)
        {
            tally.PagesSkipped++;
            findings.Add($"Keyspace '{tally.Name}': tree page {id.Value} is unusable ({problem}); it is skipped with every entry under it.");
            return;
        }

        var count = SlottedPage.Count(page);
        if (PageHeader.GetType(page) == PageType.Leaf)
        {
            for (var i = 0; i < count; i++)
            {
                var key = LeafPage.Key(page, i);
                if (!LeafPage.IsOverflow(page, i))
                {
                    tally.Read++;
                    sink(key, LeafPage.InlineValue(page, i));
                }
                else if (ReadOverflow(LeafPage.Overflow(page, i), id, key, tally) is { } value)
                {
                    tally.Read++;
                    sink(key, value);
                }
                else
                {
                    tally.ValuesSkipped++;
                }
            }

            return;
        }

        var level = PageHeader.GetLevel(page);
        for (var i = 0; i < count; i++)
        {
            var childLow = i == 0 ? low : BranchPage.Key(page, i).ToArray();
            var childHigh = i + 1 < count ? BranchPage.Key(page, i + 1).ToArray() : high;
            Walk(BranchPage.Child(page, i), depth + 1, level - 1, childLow, childHigh, tally, sink);
        }
    }

    /// <summary>Reads and verifies a tree page; the reason it is unusable, or null.</summary>
    private string? Read(PageId id, Span<byte> page)
    {
        if (id.Value < 2 || id.Value >= pageCount)
        {
            return $"the reference to it lies outside the checkpoint's {pageCount} pages";
        }

        if (_reached[id.Value])
        {
            return "it was reached before, from elsewhere";
        }

        _reached.Set(id.Value);
        try
        {
            store.ReadVerifiedForCheck(id, page, PageType.None);
            return null;
        }
        catch (PersistenceException ex) when (ex is CorruptionException or StorageException { Code: ErrorCode.IOError })
        {
            return ex.Message;
        }
    }

    /// <summary>The first structural problem of a verified tree page, or null: nothing is read from a page before this passes.</summary>
    private string? Check(ReadOnlySpan<byte> page, int expectedLevel, byte[]? low, byte[]? high)
    {
        var leaf = PageHeader.GetType(page) == PageType.Leaf;
        var level = PageHeader.GetLevel(page);
        if (leaf != (level == 0) || (expectedLevel >= 0 && level != expectedLevel))
        {
            return $"a {(leaf ? "leaf" : "branch")} at level {level} where {(expectedLevel >= 0 ? $"level {expectedLevel}" : "a root")} belongs";
        }

        var count = SlottedPage.Count(page);
        var upper = SlottedPage.Upper(page);
        if (count == 0 || SlottedPage.Lower(page) > upper || upper > page.Length)
        {
            return $"its {count} slots do not fit before its cells";
        }

        var previous = ReadOnlySpan<byte>.Empty;
        for (var i = 0; i < count; i++)
        {
            var offset = SlottedPage.CellOffset(page, i);
            var fits = offset >= upper && offset < page.Length && (leaf
                ? LeafPage.TryCellLength(page, offset, out _)
                : offset + BranchPage.CellHeaderSize <= page.Length && offset + BranchPage.CellLength(page, offset) <= page.Length);
            if (!fits)
            {
                return $"cell {i} is malformed or runs outside the page";
            }

            var key = leaf ? LeafPage.Key(page, i) : BranchPage.Key(page, i);
            if (!leaf && i == 0)
            {
                if (!key.IsEmpty)
                {
                    return "its first separator is not empty";
                }

                continue;
            }

            if (key.IsEmpty || key.Length > _maxKeySize)
            {
                return $"the key at slot {i} is {key.Length} bytes long";
            }

            if ((i > (leaf ? 0 : 1) && previous.SequenceCompareTo(key) >= 0)
                || (low is not null && key.SequenceCompareTo(low) < 0) || (high is not null && key.SequenceCompareTo(high) >= 0))
            {
                return $"the key at slot {i} is out of order or outside the bounds its parent gives";
            }

            previous = key;
        }

        return null;
    }

    /// <summary>The value an overflow cell refers to, verified, or null when it cannot be read (the reason is recorded).</summary>
    private byte[]? ReadOverflow(OverflowRef reference, PageId leaf, ReadOnlySpan<byte> key, KeyspaceTally tally)
    {
        var first = reference.FirstPage.Value;
        var pages = reference.Length is > 0 and <= TreeLimits.MaxValueSize ? Overflow.PageCount(reference.Length, store.PageSize) : 0;
        string reason;
        if (pages == 0)
        {
            reason = $"it claims a length of {reference.Length} bytes";
        }
        else if (first < 2 || first > pageCount - pages)
        {
            reason = $"its {pages} pages from page {first} lie outside the checkpoint's {pageCount} pages";
        }
        else if (_reached.NextSet(first, first + pages) >= 0)
        {
            reason = "some of its pages were reached before, from elsewhere";
        }
        else
        {
            _reached.SetRange(first, pages);
            try
            {
                return store.ReadOverflow(reference.FirstPage, reference.Length);
            }
            catch (PersistenceException ex) when (ex is CorruptionException or StorageException { Code: ErrorCode.IOError })
            {
                reason = ex.Message;
            }
        }

        var shown = Convert.ToHexString(key[..Math.Min(key.Length, MaxKeyBytesShown)]) + (key.Length > MaxKeyBytesShown ? "..." : "");
        findings.Add($"Keyspace '{tally.Name}': the value of key {shown} (leaf page {leaf.Value}) is unreadable ({reason}); the entry is skipped.");
        return null;
    }
}
