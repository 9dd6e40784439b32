namespace Persistence.Testing;

/// <summary>
/// The contents of one simulated file: what a reader sees now, and what would survive a power failure (the state
/// at the last successful flush). Writes since then are kept in order, so a crash can keep any subset of them.
/// </summary>
public sealed class SimulatedFile
{
    private readonly List<PendingWrite> _pending = [];
    // Ranges whose write-back failed (LoseUnsyncedOnCrash): readers see them, and no flush makes them durable until they
    // are written again, as Linux marks such pages clean.
    private readonly List<(long Start, long End)> _lost = [];
    private byte[] _current = [];
    private long _length;
    private byte[] _durable = [];
    private long _durableLength;

    internal SimulatedFile()
    {
    }

    internal SimulatedFile(byte[] durable, long length)
    {
        _durable = durable;
        _durableLength = length;
        _current = (byte[])durable.Clone();
        _length = length;
    }

    public long Length
    {
        get
        {
            lock (this)
            {
                return _length;
            }
        }
    }

    internal int PendingWrites
    {
        get
        {
            lock (this)
            {
                return _pending.Count;
            }
        }
    }

    internal int Read(long offset, Span<byte> buffer)
    {
        lock (this)
        {
            var n = (int)Math.Clamp(_length - offset, 0, buffer.Length);
            _current.AsSpan((int)offset, n).CopyTo(buffer);
            return n;
        }
    }

    internal void Write(long offset, ReadOnlySpan<byte> data)
    {
        lock (this)
        {
            Apply(ref _current, ref _length, offset, data);
            _pending.Add(new PendingWrite(offset, data.ToArray(), -1));
            Rewritten(offset, offset + data.Length);
        }
    }

    internal void SetLength(long length)
    {
        lock (this)
        {
            ApplyLength(ref _current, ref _length, length);
            _pending.Add(new PendingWrite(0, [], length));
            Rewritten(length, long.MaxValue); // cut off, or zeros written anew
        }
    }

    /// <summary>Everything written so far becomes durable, except what a failed write-back lost.</summary>
    internal void Flush()
    {
        lock (this)
        {
            var durable = (byte[])_current.Clone();
            foreach (var (start, end) in _lost)
            {
                for (var i = start; i < Math.Min(end, durable.Length); i++)
                {
                    durable[i] = i < _durableLength ? _durable[i] : (byte)0;
                }
            }

            _durable = durable;
            _durableLength = _length;
            _pending.Clear();
        }
    }

    /// <summary>
    /// A failed fsync as Linux reports it: the pending pages are marked clean although they never reached the disk.
    /// Readers still see them; a crash loses them, and a later flush that succeeds does not write them (only writing
    /// them again does).
    /// </summary>
    internal void LoseUnsyncedOnCrash()
    {
        lock (this)
        {
            foreach (var write in _pending)
            {
                if (write.Length < 0)
                {
                    _lost.Add((write.Offset, write.Offset + write.Data.Length));
                }
            }

            _pending.Clear();
        }
    }

    /// <summary>
    /// The operating system drops from its cache the pages whose write-back failed (<see cref="LoseUnsyncedOnCrash"/>):
    /// readers see what the disk holds there again.
    /// </summary>
    internal void EvictLost()
    {
        lock (this)
        {
            foreach (var (start, end) in _lost)
            {
                for (var i = start; i < Math.Min(end, _length); i++)
                {
                    _current[i] = i < _durableLength ? _durable[i] : (byte)0;
                }
            }
        }
    }

    /// <summary>
    /// What the machine holds after the process died but the machine did not: the same contents, with the writes not
    /// flushed yet still not durable (the operating system's cache keeps them, and a later power failure can lose them).
    /// </summary>
    internal SimulatedFile AfterProcessCrash()
    {
        lock (this)
        {
            var copy = new SimulatedFile((byte[])_durable.Clone(), _durableLength)
            {
                _current = (byte[])_current.Clone(),
                _length = _length,
            };
            copy._pending.AddRange(_pending.Select(write => write with { Inherited = true }));
            copy._lost.AddRange(_lost);
            return copy;
        }
    }

    /// <summary>What the disk holds after a power failure, according to <paramref name="mode"/>.</summary>
    internal SimulatedFile AfterCrash(CrashMode mode, Random random)
    {
        lock (this)
        {
            var image = (byte[])_durable.Clone();
            var length = _durableLength;
            for (var i = 0; i < _pending.Count; i++)
            {
                var write = _pending[i];
                var keep = mode switch
                {
                    CrashMode.KeepAll => true,
                    CrashMode.DropUnsynced => false,
                    CrashMode.TornLast => i < _pending.Count - 1,
                    CrashMode.Reorder => random.Next(2) == 0,
                    CrashMode.DropBeforeProcessCrash => !write.Inherited,
                    _ => false,
                };
                if (mode == CrashMode.TornLast && i == _pending.Count - 1 && write.Length < 0 && write.Data.Length > 0)
                {
                    // Keep a prefix of the last write that ends on a 512-byte sector boundary of the file.
                    var cuts = new List<long> { write.Offset };
                    for (var b = ((write.Offset / 512) + 1) * 512; b < write.Offset + write.Data.Length; b += 512)
                    {
                        cuts.Add(b);
                    }

                    var cut = (int)(cuts[random.Next(cuts.Count)] - write.Offset);
                    if (cut > 0)
                    {
                        Apply(ref image, ref length, write.Offset, write.Data.AsSpan(0, cut));
                    }

                    continue;
                }

                if (!keep)
                {
                    continue;
                }

                if (write.Length >= 0)
                {
                    ApplyLength(ref image, ref length, write.Length);
                }
                else
                {
                    Apply(ref image, ref length, write.Offset, write.Data);
                }
            }

            return new SimulatedFile(image, length);
        }
    }

    // Bytes written again from start to end are dirty again: the next flush writes them.
    private void Rewritten(long start, long end)
    {
        for (var i = _lost.Count - 1; i >= 0; i--)
        {
            var (lostStart, lostEnd) = _lost[i];
            if (lostEnd <= start || lostStart >= end)
            {
                continue;
            }

            _lost.RemoveAt(i);
            if (lostStart < start)
            {
                _lost.Add((lostStart, start));
            }

            if (lostEnd > end)
            {
                _lost.Add((end, lostEnd));
            }
        }
    }

    private static void Apply(ref byte[] buffer, ref long length, long offset, ReadOnlySpan<byte> data)
    {
        var end = offset + data.Length;
        if (end > buffer.Length)
        {
            Array.Resize(ref buffer, (int)Math.Max(end, buffer.Length * 2L));
        }

        data.CopyTo(buffer.AsSpan((int)offset));
        length = Math.Max(length, end);
    }

    private static void ApplyLength(ref byte[] buffer, ref long length, long newLength)
    {
        if (newLength > buffer.Length)
        {
            Array.Resize(ref buffer, (int)newLength);
        }
        else if (newLength < length)
        {
            buffer.AsSpan((int)newLength, (int)(length - newLength)).Clear();
        }

        length = newLength;
    }

    /// <param name="Length">The new length of a set-length (-1 for a write).</param>
    /// <param name="Inherited">Left unsynced by a process that crashed before (<see cref="AfterProcessCrash"/>).</param>
    private readonly record struct PendingWrite(long Offset, byte[] Data, long Length, bool Inherited = false);
}

/// <summary>What a simulated power failure does to writes that were not flushed.</summary>
public enum CrashMode
{
    /// <summary>Every unflushed write is lost.</summary>
    DropUnsynced,

    /// <summary>Unflushed writes survive except the last, which survives only up to a sector boundary.</summary>
    TornLast,

    /// <summary>Each unflushed write survives or not, independently (the disk reordered them).</summary>
    Reorder,

    /// <summary>Everything survives (the process died, the machine did not).</summary>
    KeepAll,

    /// <summary>
    /// What a process that crashed before left unsynced (<see cref="SimulatedFileSystem.AfterProcessCrash"/>) is lost,
    /// every write and name change since survives: the cache wrote the reopened process's writes back first. Without
    /// an earlier process crash, everything survives.
    /// </summary>
    DropBeforeProcessCrash,
}
