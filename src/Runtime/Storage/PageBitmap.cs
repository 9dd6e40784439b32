using System.Numerics;

namespace Persistence.Storage;

/// <summary>A growable set of page numbers, one bit per page.</summary>
internal sealed class PageBitmap
{
    private ulong[] _words;

    public PageBitmap(long pages) => _words = new ulong[WordsFor(pages)];

    private PageBitmap(ulong[] words) => _words = words;

    public ReadOnlySpan<ulong> Words => _words;

    public long Capacity => (long)_words.Length * 64;

    public static long WordsFor(long pages) => (pages + 63) / 64;

    public PageBitmap Clone() => new((ulong[])_words.Clone());

    public void EnsureCapacity(long pages)
    {
        var words = WordsFor(pages);
        if (words > _words.Length)
        {
            Array.Resize(ref _words, (int)Math.Max(words, _words.Length * 2L));
        }
    }

    public bool this[long page] => page < Capacity && (_words[page >> 6] & (1UL << (int)(page & 63))) != 0;

    public void Set(long page)
    {
        EnsureCapacity(page + 1);
        _words[page >> 6] |= 1UL << (int)(page & 63);
    }

    public void Clear(long page)
    {
        if (page < Capacity)
        {
            _words[page >> 6] &= ~(1UL << (int)(page & 63));
        }
    }

    public void SetRange(long start, long count)
    {
        for (var p = start; p < start + count; p++)
        {
            Set(p);
        }
    }

    public void ClearRange(long start, long count)
    {
        for (var p = start; p < start + count; p++)
        {
            Clear(p);
        }
    }

    public long CountSet(long limit)
    {
        long total = 0;
        var full = Math.Min(limit >> 6, _words.Length);
        for (var i = 0; i < full; i++)
        {
            total += BitOperations.PopCount(_words[i]);
        }

        for (var p = full * 64; p < limit; p++)
        {
            total += this[p] ? 1 : 0;
        }

        return total;
    }

    /// <summary>The last set bit before <paramref name="limit"/>, or -1.</summary>
    public long LastSet(long limit)
    {
        limit = Math.Min(limit, Capacity);
        if (limit <= 0)
        {
            return -1;
        }

        var word = (limit - 1) >> 6;
        var bits = _words[word] & (ulong.MaxValue >> (63 - (int)((limit - 1) & 63)));
        while (true)
        {
            if (bits != 0)
            {
                return (word * 64) + 63 - BitOperations.LeadingZeroCount(bits);
            }

            if (--word < 0)
            {
                return -1;
            }

            bits = _words[word];
        }
    }

    /// <summary>The first set bit at or after <paramref name="from"/> and before <paramref name="limit"/>, or -1.</summary>
    public long NextSet(long from, long limit)
    {
        var word = from >> 6;
        if (word >= _words.Length || from >= limit)
        {
            return -1;
        }

        var bits = _words[word] & (ulong.MaxValue << (int)(from & 63));
        while (true)
        {
            if (bits != 0)
            {
                var page = (word * 64) + BitOperations.TrailingZeroCount(bits);
                return page < limit ? page : -1;
            }

            if (++word >= _words.Length || word * 64 >= limit)
            {
                return -1;
            }

            bits = _words[word];
        }
    }

    /// <summary>Copies the bits of pages [first, first + 8 × bytes.Length) into <paramref name="bytes"/>.</summary>
    public void CopyTo(long first, Span<byte> bytes)
    {
        bytes.Clear();
        var firstWord = first >> 6;
        var words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(bytes);
        for (var i = 0; i < words.Length && firstWord + i < _words.Length; i++)
        {
            words[i] = _words[firstWord + i];
        }
    }

    /// <summary>Sets the bits of pages [first, …) from <paramref name="bytes"/> (the inverse of <see cref="CopyTo"/>).</summary>
    public void LoadFrom(long first, ReadOnlySpan<byte> bytes)
    {
        var words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(bytes);
        EnsureCapacity(first + (words.Length * 64L));
        words.CopyTo(_words.AsSpan((int)(first >> 6)));
    }

    /// <summary>True when pages [first, first + count) have the same bits in both maps.</summary>
    public bool SameRange(PageBitmap other, long first, long count)
    {
        var a = _words.AsSpan();
        var b = other._words.AsSpan();
        for (var w = first >> 6; w < (first + count + 63) >> 6; w++)
        {
            var x = w < a.Length ? a[(int)w] : 0;
            var y = w < b.Length ? b[(int)w] : 0;
            if (x != y)
            {
                return false;
            }
        }

        return true;
    }
}
