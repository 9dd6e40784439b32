using System.Diagnostics;
using Persistence.Serialization;

namespace Persistence.Collections;

/// <content>The keys and entries of an <c>InsertMany</c> chunk (Collection.Bulk.cs), in one buffer.</content>
public abstract partial class Collection<T, TKey>
{
    /// <summary>Where a key or an entry lies in a <see cref="ChunkEntries"/> buffer.</summary>
    private readonly record struct Slice(int Start, int Length)
    {
        /// <summary>Stands for a tree's entry a document does not have (not in that index, or no expiry).</summary>
        public static readonly Slice None = new(0, -1);

        public int End => Start + Length;
    }

    /// <summary>
    /// The primary keys and the trees' entries of a chunk's documents, written one after another into one buffer reused
    /// from chunk to chunk (a chunk of W1's users needs about 40 KiB), instead of an array for each: the key, each index
    /// value, each non-unique entry (the value, then the key) and the expiry entries. Repeats of a unique value within the
    /// chunk are found by a set of document positions that compares their values in the buffer. Used by one
    /// <c>InsertAll</c> at a time (<see cref="ChunkBuffers"/>); its contents are valid until the next chunk is prepared.
    /// </summary>
    private sealed class ChunkEntries
    {
        /// <summary>Free bytes a key writer starts in: a longer key continues in a pooled array and is copied here.</summary>
        private const int MinFree = KeyBufferSize;

        private readonly int _stride;
        private readonly HashSet<int>?[] _unique;
        private byte[] _bytes = new byte[64 * 1024];
        private int _used;

        /// <summary>Document d's key at <c>d * _stride</c>, its entry in tree t at <c>d * _stride + 1 + t</c>.</summary>
        private Slice[] _slices = [];

        /// <param name="trees">The trees a document puts entries in besides its own (<see cref="EntryTrees"/>).</param>
        /// <param name="indexes">How many of the first trees are indexes.</param>
        public ChunkEntries(EntryTree[] trees, int indexes)
        {
            Trees = trees;
            _stride = 1 + trees.Length;
            _unique = new HashSet<int>?[indexes]; // made at a unique index's first value
        }

        public EntryTree[] Trees { get; }

        public int Capacity => _bytes.Length;

        /// <summary>The free part of the buffer, at least <see cref="MinFree"/> bytes, for a key writer to start in.</summary>
        public Span<byte> Free
        {
            get
            {
                Reserve(MinFree);
                return _bytes.AsSpan(_used);
            }
        }

        public ReadOnlySpan<byte> this[Slice slice] => _bytes.AsSpan(slice.Start, slice.Length);

        /// <summary>Empties the buffer for a chunk of <paramref name="documents"/>, none of which has an entry yet.</summary>
        public void Clear(int documents)
        {
            _used = 0;
            var slices = documents * _stride;
            if (_slices.Length < slices)
            {
                _slices = new Slice[slices];
            }

            _slices.AsSpan(0, slices).Fill(Slice.None);
            foreach (var seen in _unique)
            {
                seen?.Clear();
            }
        }

        /// <summary>
        /// Keeps <paramref name="written"/> after the bytes kept before: a key writer's output, which is already in place
        /// when the writer did not outgrow <see cref="Free"/>.
        /// </summary>
        public Slice Append(scoped ReadOnlySpan<byte> written)
        {
            var start = _used;
            if (!written.Overlaps(_bytes.AsSpan(start), out var offset) || offset != 0)
            {
                written.CopyTo(Reserve(written.Length));
            }

            _used = start + written.Length;
            return new Slice(start, written.Length);
        }

        /// <summary>A non-unique index's entry: <paramref name="value"/>, the last bytes kept, followed by the key.</summary>
        public Slice Append(Slice value, Slice key)
        {
            Debug.Assert(value.End == _used, "the value is extended in place");
            var after = Reserve(key.Length);
            this[key].CopyTo(after);
            _used += key.Length;
            return value with { Length = value.Length + key.Length };
        }

        /// <summary>An expiry-index entry, as <see cref="ExpiryEntry"/> encodes it: the instant, then the key.</summary>
        public Slice AppendExpiryEntry(DateTimeOffset expiry, Slice key)
        {
            var writer = new KeyWriter(Free);
            try
            {
                WriteExpiryInstant(ref writer, expiry);
                return Append(Append(writer.WrittenSpan), key);
            }
            finally
            {
                writer.Dispose();
            }
        }

        /// <summary>A stored expiry's value, as <see cref="StoredExpiry"/> encodes it.</summary>
        public Slice AppendStoredExpiry(DateTimeOffset expiry)
        {
            WriteStoredExpiry(expiry, Reserve(StoredExpiryLength));
            _used += StoredExpiryLength;
            return new Slice(_used - StoredExpiryLength, StoredExpiryLength);
        }

        public void KeepKey(int document, Slice key) => _slices[document * _stride] = key;

        public void Keep(int tree, int document, Slice entry) => _slices[document * _stride + 1 + tree] = entry;

        /// <summary>
        /// Keeps a unique index's <paramref name="value"/> as the document's entry in tree <paramref name="tree"/>; false
        /// when an earlier document of the chunk kept the same value there.
        /// </summary>
        public bool TryKeepUnique(int tree, int document, Slice value)
        {
            Keep(tree, document, value);
            return (_unique[tree] ??= new HashSet<int>(_slices.Length / _stride, new SameEntry(this, tree))).Add(document);
        }

        public ReadOnlySpan<byte> Key(int document) => this[_slices[document * _stride]];

        /// <summary>The document's entry in tree <paramref name="tree"/>; false when it has none.</summary>
        public bool TryGetEntry(int tree, int document, out ReadOnlySpan<byte> entry)
        {
            var slice = _slices[document * _stride + 1 + tree];
            entry = slice.Length < 0 ? default : this[slice];
            return slice.Length >= 0;
        }

        private ReadOnlySpan<byte> Entry(int tree, int document) => this[_slices[document * _stride + 1 + tree]];

        /// <summary>The <paramref name="count"/> bytes after those kept, the buffer grown to hold them.</summary>
        private Span<byte> Reserve(int count)
        {
            if (_bytes.Length - _used < count)
            {
                Array.Resize(ref _bytes, Math.Max(2 * _bytes.Length, _used + count));
            }

            return _bytes.AsSpan(_used, count);
        }

        /// <summary>Documents of the chunk are the same when their entries in one tree have the same bytes.</summary>
        private sealed class SameEntry(ChunkEntries entries, int tree) : IEqualityComparer<int>
        {
            public bool Equals(int x, int y) => entries.Entry(tree, x).SequenceEqual(entries.Entry(tree, y));

            public int GetHashCode(int document)
            {
                var hash = new HashCode();
                hash.AddBytes(entries.Entry(tree, document));
                return hash.ToHashCode();
            }
        }
    }
}
