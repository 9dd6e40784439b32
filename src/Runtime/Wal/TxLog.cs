using System.Text;

namespace Persistence.Wal;

/// <summary>
/// The logical redo record of one write transaction, encoded as the transaction writes, directly into buffers that
/// become WAL frames (each chunk reserves <see cref="WalFrame.HeaderSize"/> bytes in front for the frame header).
/// It doubles as the transaction's write set for conflict checks and for re-applying the transaction on a newer
/// version.
/// </summary>
/// <remarks>
/// <code>
/// operation := kind:u8 keyspace:varint body
///   Put            key-length:varint key value-length:varint value
///   Delete         key-length:varint key
///   CreateKeyspace name-length:varint name (UTF-8)
///   DropKeyspace   (no body)
/// </code>
/// An operation's header and key never span chunks; a value may.
/// <para>
/// With a <see cref="LogSpillPolicy"/>, finished chunks beyond the policy's threshold move to a <see cref="LogSpill"/>
/// file and leave memory, so a transaction's log costs bounded memory however large it grows; they are read back
/// (and verified against their checksums) when the log is read or written to the WAL.
/// </para>
/// </remarks>
internal sealed class TxLog
{
    private const int InitialCapacity = 256;
    private const int MaxOpHeader = 1 + 5 + 5;
    private readonly int _maxPayload;
    private readonly LogSpillPolicy? _spillPolicy;
    private readonly List<LogChunk> _sealed = [];
    private List<ReadOnlyMemory<byte>>? _sealedPayloads;
    private bool _isSealed;
    private byte[] _current;
    private int _position;
    private LogSpill? _spill;
    private int _firstInMemory;
    private long _sealedInMemoryBytes;
    private bool _spillFailed;
    private Stack<byte[]>? _freeChunks;

    public TxLog(int maxPayload, LogSpillPolicy? spillPolicy = null)
    {
        _maxPayload = maxPayload;
        _spillPolicy = spillPolicy;
        _current = new byte[WalFrame.HeaderSize + Math.Min(InitialCapacity, maxPayload)];
        _position = WalFrame.HeaderSize;
    }

    /// <summary>True once a committed version owns the log (it then drops it, and its spill file, when pruned).</summary>
    public bool IsCommitted { get; set; }

    /// <summary>Payload bytes moved to the spill file so far.</summary>
    public long SpilledBytes => _spill?.Length ?? 0;

    public int OpCount { get; private set; }

    public long PayloadBytes { get; private set; }

    public bool IsEmpty => OpCount == 0;

    /// <summary>The keys the log puts or deletes, summarized for the conflict check (see <see cref="KeyFilter"/>).</summary>
    public KeyFilter Keys => _keys;

    /// <summary>
    /// True when the log creates or drops a keyspace: such an operation conflicts by name or with every key of its
    /// keyspace, which <see cref="Keys"/> does not summarize, so the conflict check always reads such a log.
    /// </summary>
    public bool ChangesKeyspaces { get; private set; }

    private KeyFilter _keys;
    private int _keysHashed; // puts and deletes, counted up to one past KeyFilter.MostKeys (keyspace changes do not count)

    public void Put(int keyspace, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        WriteHeaderAndKey(LogOpKind.Put, keyspace, key, extraVarint: true);
        WriteVarint((uint)value.Length);
        WriteSpanning(value);
    }

    public void Delete(int keyspace, ReadOnlySpan<byte> key) => WriteHeaderAndKey(LogOpKind.Delete, keyspace, key, extraVarint: false);

    public void CreateKeyspace(int keyspace, string name) =>
        WriteHeaderAndKey(LogOpKind.CreateKeyspace, keyspace, Encoding.UTF8.GetBytes(name), extraVarint: false);

    public void DropKeyspace(int keyspace) => WriteHeaderAndKey(LogOpKind.DropKeyspace, keyspace, null, extraVarint: false);

    /// <summary>The finished chunks, each with its payload checksum. The log cannot be written to afterwards.</summary>
    public IReadOnlyList<LogChunk> Seal()
    {
        if (_position > WalFrame.HeaderSize)
        {
            SealCurrent(maySpill: false); // the commit writes it to the WAL next: spilling it now would only add a read
        }

        _isSealed = true;
        _freeChunks = null; // nothing is written any more: spare buffers must not live as long as the committed log
        return _sealed;
    }

    /// <summary>
    /// The payloads as read-only segments (for reading the operations back). Once sealed, the same list every time:
    /// a committed version's log is read by the conflict check of every commit that overlaps it.
    /// </summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Payloads()
    {
        if (_isSealed && _sealedPayloads is { } cached)
        {
            return cached;
        }

        var tail = _position > WalFrame.HeaderSize ? _current.AsMemory(WalFrame.HeaderSize, _position - WalFrame.HeaderSize) : default;
        if (_spill is not null)
        {
            return new SpilledPayloads([.. _sealed], tail); // not cached: it reads back through a one-chunk buffer of its own
        }

        var payloads = _sealed.ConvertAll(static c => c.Payload);
        if (!tail.IsEmpty)
        {
            payloads.Add(tail);
        }

        if (_isSealed)
        {
            _sealedPayloads = payloads;
        }

        return payloads;
    }

    /// <summary>Deletes the spill file, if any. For a log nobody will read again (rolled back, or pruned after its commit).</summary>
    public void DiscardSpill()
    {
        _freeChunks = null;
        _spill?.Dispose();
    }

    private void WriteHeaderAndKey(LogOpKind kind, int keyspace, ReadOnlySpan<byte> key, bool extraVarint)
    {
        if (kind is LogOpKind.Put or LogOpKind.Delete)
        {
            if (_keysHashed < KeyFilter.MostKeys)
            {
                _keys.Add(keyspace, key);
                _keysHashed++;
            }
            else if (_keysHashed == KeyFilter.MostKeys)
            {
                _keys = KeyFilter.All; // a large log: no more hashing, and it is always read
                _keysHashed++;
            }
        }
        else
        {
            ChangesKeyspaces = true;
        }

        Reserve(MaxOpHeader + key.Length + (extraVarint ? 5 : 0));
        _current[_position++] = (byte)kind;
        WriteVarint((uint)keyspace);
        if (kind != LogOpKind.DropKeyspace)
        {
            WriteVarint((uint)key.Length);
            key.CopyTo(_current.AsSpan(_position));
            _position += key.Length;
            PayloadBytes += key.Length;
        }

        OpCount++;
    }

    private void WriteVarint(uint value)
    {
        while (value >= 0x80)
        {
            _current[_position++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _current[_position++] = (byte)value;
    }

    private void WriteSpanning(ReadOnlySpan<byte> data)
    {
        PayloadBytes += data.Length;
        while (!data.IsEmpty)
        {
            if (_position == _current.Length)
            {
                Reserve(Math.Min(data.Length, _maxPayload));
            }

            var n = Math.Min(data.Length, _current.Length - _position);
            data[..n].CopyTo(_current.AsSpan(_position));
            _position += n;
            data = data[n..];
        }
    }

    /// <summary>Ensures <paramref name="bytes"/> contiguous bytes are free, growing the chunk or starting a new one.</summary>
    private void Reserve(int bytes)
    {
        var needed = _position + bytes;
        if (needed <= _current.Length)
        {
            return;
        }

        var max = WalFrame.HeaderSize + _maxPayload;
        if (needed <= max)
        {
            var grown = new byte[Math.Min(max, Math.Max(needed, _current.Length * 2))];
            _current.AsSpan(0, _position).CopyTo(grown);
            _current = grown;
            return;
        }

        // A chunk filled up, so the transaction is large: the next chunk starts at full size (a buffer the spill file
        // freed, if any) instead of growing again by doubling.
        SealCurrent(maySpill: true);
        _current = _freeChunks is { Count: > 0 } free ? free.Pop() : new byte[max];
        _position = WalFrame.HeaderSize;
    }

    private void SealCurrent(bool maySpill)
    {
        var payload = _current.AsMemory(WalFrame.HeaderSize, _position - WalFrame.HeaderSize);
        _sealed.Add(new LogChunk(_current, payload.Length, Storage.Checksum.Compute(payload.Span)));
        _sealedInMemoryBytes += payload.Length;
        _current = [];
        _position = 0;
        if (maySpill && _spillPolicy is { } policy && !_spillFailed && _sealedInMemoryBytes >= policy.ThresholdBytes)
        {
            Spill(policy);
        }
    }

    /// <summary>
    /// Moves the finished chunks still in memory to the spill file in one write. If the file cannot be written, the
    /// chunks stay in memory and this log stops spilling: the transaction loses nothing, it only keeps its memory.
    /// </summary>
    private void Spill(LogSpillPolicy policy)
    {
        var payloads = new List<ReadOnlyMemory<byte>>(_sealed.Count - _firstInMemory);
        for (var i = _firstInMemory; i < _sealed.Count; i++)
        {
            payloads.Add(_sealed[i].Payload);
        }

        long offset;
        try
        {
            _spill ??= policy.Create();
            offset = _spill.Append(payloads);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or PersistenceException)
        {
            _spillFailed = true;
            policy.OnFailure(ex);
            return;
        }

        var max = WalFrame.HeaderSize + _maxPayload;
        for (var i = _firstInMemory; i < _sealed.Count; i++)
        {
            var chunk = _sealed[i];
            _sealed[i] = new LogChunk(null, chunk.PayloadLength, chunk.PayloadCrc, _spill, offset);
            offset += chunk.PayloadLength;
            if (chunk.Buffer!.Length == max)
            {
                // Nothing else refers to a chunk of a log still being written: its buffer takes the next chunk.
                (_freeChunks ??= new Stack<byte[]>()).Push(chunk.Buffer);
            }
        }

        _firstInMemory = _sealed.Count;
        _sealedInMemoryBytes = 0;
    }

    /// <summary>The payloads of a log with spilled chunks: a spilled chunk is read back when its index is asked for (the last one read is kept).</summary>
    private sealed class SpilledPayloads(List<LogChunk> chunks, ReadOnlyMemory<byte> tail) : IReadOnlyList<ReadOnlyMemory<byte>>
    {
        private int _loadedIndex = -1;
        private ReadOnlyMemory<byte> _loaded;

        public int Count => chunks.Count + (tail.IsEmpty ? 0 : 1);

        public ReadOnlyMemory<byte> this[int index]
        {
            get
            {
                if (index == chunks.Count)
                {
                    return tail.IsEmpty ? throw new ArgumentOutOfRangeException(nameof(index)) : tail;
                }

                var chunk = chunks[index];
                if (chunk.Buffer is not null)
                {
                    return chunk.Payload;
                }

                if (_loadedIndex != index)
                {
                    _loaded = chunk.LoadPayload();
                    _loadedIndex = index;
                }

                return _loaded;
            }
        }

        public IEnumerator<ReadOnlyMemory<byte>> GetEnumerator()
        {
            for (var i = 0; i < Count; i++)
            {
                yield return this[i];
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}

/// <summary>When and where a log spills: past <see cref="ThresholdBytes"/> of finished chunks in memory, into a file from <see cref="Create"/>.</summary>
internal sealed record LogSpillPolicy(long ThresholdBytes, Func<LogSpill> Create, Action<Exception> OnFailure);

/// <summary>
/// A finished chunk: header space, then <see cref="PayloadLength"/> payload bytes, in <see cref="Buffer"/>, or (with a
/// null buffer) at <see cref="SpillOffset"/> in <see cref="Spill"/>.
/// </summary>
internal sealed record LogChunk(byte[]? Buffer, int PayloadLength, uint PayloadCrc, LogSpill? Spill = null, long SpillOffset = 0)
{
    /// <summary>The payload of a chunk in memory.</summary>
    public ReadOnlyMemory<byte> Payload => Buffer!.AsMemory(WalFrame.HeaderSize, PayloadLength);

    /// <summary>Reads a spilled chunk's payload back into a new array.</summary>
    public ReadOnlyMemory<byte> LoadPayload()
    {
        var frame = new byte[WalFrame.HeaderSize + PayloadLength];
        LoadFrame(frame);
        return frame.AsMemory(WalFrame.HeaderSize, PayloadLength);
    }

    /// <summary>
    /// Reads a spilled chunk's payload into <paramref name="frame"/> after <see cref="WalFrame.HeaderSize"/> bytes of
    /// header space, and verifies it against <see cref="PayloadCrc"/>.
    /// </summary>
    /// <exception cref="CorruptionException">The bytes read back are not the bytes written.</exception>
    public void LoadFrame(Span<byte> frame)
    {
        var payload = frame.Slice(WalFrame.HeaderSize, PayloadLength);
        Spill!.Read(SpillOffset, payload);
        if (Storage.Checksum.Compute(payload) != PayloadCrc)
        {
            throw new CorruptionException(ErrorCode.Corruption,
                $"A chunk of the transaction's spilled log in '{Spill.Path}' (at {SpillOffset}, {PayloadLength} bytes) failed its checksum when read back.")
            {
                FilePath = Spill.Path,
            };
        }
    }
}
