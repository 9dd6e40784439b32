using Persistence.BTree;
using Persistence.Storage;

namespace Persistence.Diagnostics;

internal sealed partial class ConsistencyChecker
{
    private PageBitmap _seen = new(0);
    private long _pageCount;

    /// <summary>Every page of the durable checkpoint is reachable exactly once, or free, and verifies.</summary>
    private void CheckDisk(MetaPage meta)
    {
        var store = _database.Store!;
        _pageCount = meta.PageCount;
        _seen = new PageBitmap(meta.PageCount);
        Reach(new PageId(0), "meta page 0");
        Reach(new PageId(1), "meta page 1");
        var persistedUsed = new PageBitmap(meta.PageCount);
        var page = new byte[store.PageSize];
        var perBitmapPage = (store.PageSize - PageHeader.Size) * 8L;
        for (var i = 0; i < meta.BitmapPages.Length; i++)
        {
            if (Reach(meta.BitmapPages[i], $"bitmap page {i}") && Read(meta.BitmapPages[i], page, PageType.FreeMap, $"bitmap page {i}"))
            {
                persistedUsed.LoadFrom(i * perBitmapPage, page.AsSpan(PageHeader.Size));
            }
        }

        List<CatalogRecord> records;
        try
        {
            (records, var catalogPages) = CatalogPages.Read(store, meta.CatalogPage);
            _pages += catalogPages.Count;
            foreach (var id in catalogPages)
            {
                Reach(id, "catalog");
            }
        }
        catch (PersistenceException ex) when (ex.Code != ErrorCode.DatabaseClosed)
        {
            Error($"The catalog cannot be read: {ex.Message}");
            return;
        }

        foreach (var record in records)
        {
            long count = 0;
            if (!record.Root.IsNone)
            {
                count = WalkTree(record.Root, record.Name, null, null, expectedLevel: -1);
            }

            if (count != record.Count)
            {
                Error($"Keyspace '{record.Name}' on disk holds {count} keys but the catalog says {record.Count}.");
            }
        }

        if (meta.BitmapPages.Length == 0)
        {
            return; // a database that has never checkpointed: only the meta pages exist
        }

        for (var p = 2L; p < _pageCount; p++)
        {
            var used = persistedUsed[p];
            var reached = _seen[p];
            if (used && !reached)
            {
                Error($"Page {p} is marked in use but nothing reaches it (leaked).");
            }
            else if (!used && reached)
            {
                Error($"Page {p} is reachable but marked free.");
            }
        }
    }

    /// <summary>Walks a tree from disk; returns its key count. Keys must lie in [low, high).</summary>
    private long WalkTree(PageId id, string keyspace, byte[]? low, byte[]? high, int expectedLevel)
    {
        var store = _database.Store!;
        var page = new byte[store.PageSize];
        if (!Reach(id, $"keyspace '{keyspace}'") || !Read(id, page, PageType.None, $"keyspace '{keyspace}'"))
        {
            return 0;
        }

        var level = PageHeader.GetLevel(page);
        var isLeaf = PageHeader.GetType(page) == PageType.Leaf;
        if ((expectedLevel >= 0 && level != expectedLevel) || (isLeaf != (level == 0)))
        {
            Error($"Page {id} of keyspace '{keyspace}' has level {level}; expected {expectedLevel}.");
        }

        var count = SlottedPage.Count(page);
        if (count == 0)
        {
            Error($"Page {id} of keyspace '{keyspace}' is empty.");
        }

        long keys = 0;
        byte[]? previous = null;
        for (var i = 0; i < count; i++)
        {
            var key = (isLeaf ? LeafPage.Key(page, i) : BranchPage.Key(page, i)).ToArray();
            if (!(isLeaf || i > 0))
            {
                if (key.Length != 0)
                {
                    Error($"Branch page {id} of keyspace '{keyspace}' has a non-empty first separator.");
                }
            }
            else
            {
                if (previous is not null && previous.AsSpan().SequenceCompareTo(key) >= 0)
                {
                    Error($"Page {id} of keyspace '{keyspace}': keys out of order at slot {i}.");
                }

                if ((low is not null && key.AsSpan().SequenceCompareTo(low) < 0) || (high is not null && key.AsSpan().SequenceCompareTo(high) >= 0))
                {
                    Error($"Page {id} of keyspace '{keyspace}': key at slot {i} lies outside its parent's bounds.");
                }

                previous = key;
            }

            if (isLeaf)
            {
                keys++;
                if (LeafPage.IsOverflow(page, i))
                {
                    CheckOverflow(LeafPage.Overflow(page, i), id, keyspace);
                }
            }
            else
            {
                var childLow = i == 0 ? low : key;
                var childHigh = i + 1 < count ? BranchPage.Key(page, i + 1).ToArray() : high;
                keys += WalkTree(BranchPage.Child(page, i), keyspace, childLow, childHigh, level - 1);
            }
        }

        return keys;
    }

    private void CheckOverflow(OverflowRef reference, PageId leaf, string keyspace)
    {
        var store = _database.Store!;
        var pages = Overflow.PageCount(reference.Length, store.PageSize);
        for (var p = 0; p < pages; p++)
        {
            Reach(new PageId(reference.FirstPage.Value + p), $"overflow of page {leaf}");
        }

        try
        {
            _ = store.ReadOverflow(reference.FirstPage, reference.Length);
            _pages += pages;
        }
        catch (PersistenceException ex) when (ex.Code != ErrorCode.DatabaseClosed)
        {
            Error($"The overflow value at page {reference.FirstPage} (keyspace '{keyspace}', leaf {leaf}) fails: {ex.Message}");
        }
    }

    private bool Reach(PageId id, string owner)
    {
        if (id.Value < 0 || id.Value >= _pageCount)
        {
            Error($"{owner} refers to page {id}, outside the file's {_pageCount} pages.");
            return false;
        }

        if (_seen[id.Value])
        {
            Error($"Page {id} is reachable twice (again from {owner}).");
            return false;
        }

        _seen.Set(id.Value);
        return true;
    }

    private bool Read(PageId id, Span<byte> page, PageType type, string owner)
    {
        try
        {
            _database.Store!.ReadVerifiedForCheck(id, page, type);
            _pages++;
            return true;
        }
        catch (PersistenceException ex) when (ex.Code != ErrorCode.DatabaseClosed)
        {
            Error($"Page {id} ({owner}): {ex.Message}");
            return false;
        }
    }
}
