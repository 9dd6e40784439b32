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
/// </remarks>
internal sealed class TxLog
{
    private const int InitialCapacity = 256;
    private const int MaxOpHeader = 1 + 5 + 5;
    private readonly int _maxPayload;
    private readonly List<LogChunk> _sealed = [];
    private List<ReadOnlyMemory<byte>>? _sealedPayloads;
    private bool _isSealed;
    private byte[] _current;
    private int _position;

    public TxLog(int maxPayload)
    {
        _maxPayload = maxPayload;
        _current = new byte[WalFrame.HeaderSize + Math.Min(InitialCapacity, maxPayload)];
        _position = WalFrame.HeaderSize;
    }

    public int OpCount { get; private set; }

    public long PayloadBytes { get; private set; }

    public bool IsEmpty => OpCount == 0;

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
            SealCurrent();
        }

        _isSealed = true;
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

        var payloads = _sealed.ConvertAll(static c => c.Payload);
        if (_position > WalFrame.HeaderSize)
        {
            payloads.Add(_current.AsMemory(WalFrame.HeaderSize, _position - WalFrame.HeaderSize));
        }

        if (_isSealed)
        {
            _sealedPayloads = payloads;
        }

        return payloads;
    }

    private void WriteHeaderAndKey(LogOpKind kind, int keyspace, ReadOnlySpan<byte> key, bool extraVarint)
    {
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

        SealCurrent();
        _current = new byte[Math.Min(max, Math.Max(WalFrame.HeaderSize + bytes, WalFrame.HeaderSize + InitialCapacity))];
        _position = WalFrame.HeaderSize;
    }

    private void SealCurrent()
    {
        var payload = _current.AsMemory(WalFrame.HeaderSize, _position - WalFrame.HeaderSize);
        _sealed.Add(new LogChunk(_current, payload.Length, Storage.Checksum.Compute(payload.Span)));
        _current = [];
        _position = 0;
    }
}

/// <summary>A finished chunk: header space, then <see cref="PayloadLength"/> payload bytes.</summary>
internal sealed record LogChunk(byte[] Buffer, int PayloadLength, uint PayloadCrc)
{
    public ReadOnlyMemory<byte> Payload => Buffer.AsMemory(WalFrame.HeaderSize, PayloadLength);

    public ReadOnlyMemory<byte> Frame => Buffer.AsMemory(0, WalFrame.HeaderSize + PayloadLength);
}
