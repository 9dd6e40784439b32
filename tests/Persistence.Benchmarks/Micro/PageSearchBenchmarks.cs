using BenchmarkDotNet.Attributes;
using Persistence.BTree;
using Persistence.Serialization;
using Persistence.Storage;

namespace Persistence.Benchmarks.Micro;

/// <summary>
/// Binary search inside one full 8 KiB page: a leaf of the users keyspace (8-byte keys, about 100-byte values, about
/// 70 cells), a leaf of the email index (about 26-byte keys, 8-byte values, about 200 cells) and a branch with 8-byte
/// separators (about 400 cells). Each call looks up the next of 256 keys picked at random from the page.
/// </summary>
public class PageSearchBenchmarks
{
    private const int PageSize = 8192;
    private readonly byte[] _usersLeaf = new byte[PageSize];
    private readonly byte[] _emailLeaf = new byte[PageSize];
    private readonly byte[] _branch = new byte[PageSize];
    private byte[][] _userKeys = [];
    private byte[][] _emailKeys = [];
    private byte[][] _branchKeys = [];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _userKeys = FillLeaf(_usersLeaf, i => Int64Key(i * 3), 100);
        _emailKeys = FillLeaf(_emailLeaf, i => StringKey($"user{(i * 7919) % 100_000_000:D8}@example.com"), 8);
        PageHeader.Initialize(_branch, PageType.Branch, 1);
        var branchKeys = new List<byte[]>();
        for (var i = 0; SlottedPage.Fits(_branch, BranchPage.CellSize(8)); i++)
        {
            var key = Int64Key(i * 1000);
            BranchPage.Insert(_branch, i, key, new PageId(1000 + i));
            branchKeys.Add(Int64Key((i * 1000) + 500));
        }

        _branchKeys = Pick(branchKeys);
    }

    [Benchmark]
    public int LeafFindInt64() => LeafPage.Find(_usersLeaf, _userKeys[_next++ & 255], out _);

    [Benchmark]
    public int LeafFindEmail() => LeafPage.Find(_emailLeaf, _emailKeys[_next++ & 255], out _);

    [Benchmark]
    public int BranchFindChild() => BranchPage.FindChild(_branch, _branchKeys[_next++ & 255]);

    private static byte[][] FillLeaf(byte[] page, Func<int, byte[]> key, int valueLength)
    {
        PageHeader.Initialize(page, PageType.Leaf, 0);
        var keys = new List<byte[]>();
        var value = new byte[valueLength];
        for (var i = 0; ; i++)
        {
            var k = key(i);
            if (!SlottedPage.Fits(page, LeafPage.CellSize(k.Length, valueLength)))
            {
                break;
            }

            var slot = LeafPage.Find(page, k, out var found);
            if (!found)
            {
                LeafPage.InsertInline(page, slot, k, value);
                keys.Add(k);
            }
        }

        return Pick(keys);
    }

    private static byte[][] Pick(List<byte[]> keys)
    {
        var random = new Random(42);
        return [.. Enumerable.Range(0, 256).Select(_ => keys[random.Next(keys.Count)])];
    }

    private static byte[] Int64Key(long value)
    {
        var writer = new KeyWriter(new byte[8]);
        writer.WriteInt64(value);
        return writer.ToArray();
    }

    private static byte[] StringKey(string value)
    {
        var writer = new KeyWriter(new byte[64]);
        writer.WriteString(value);
        return writer.ToArray();
    }
}
