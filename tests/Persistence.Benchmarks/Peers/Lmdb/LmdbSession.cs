using System.Buffers;
using Persistence.Benchmarks.Data;
using Persistence.Benchmarks.Peers.PersistenceKv;
using Persistence.Serialization;

namespace Persistence.Benchmarks.Peers.Lmdb;

/// <summary>
/// One thread's LMDB access, the way LMDB is used at its fastest: a read transaction handle and two cursors (on the
/// documents, for W8, and on the Age index, for W6) kept for the session and recycled with
/// <c>mdb_txn_reset</c>/<c>mdb_txn_renew</c> and <c>mdb_cursor_renew</c>; writes in their own write transaction with
/// <c>MDB_NOOVERWRITE</c> on the two unique keys. Values are the bytes our generated schema writes for a
/// <see cref="User"/>.
/// </summary>
/// <remarks>
/// Reads are RAW: the value is copied out of the map into a session buffer (where an application would parse it) and
/// the returned <see cref="User"/> carries only what the keys found hold (the Id; in W6 also the Age of the index
/// entry); nothing is deserialized. That is the anchor BENCHMARKS.md asks for; the other peers materialize every
/// field. <see cref="GetMaterialized"/> (the check after a bulk load) does deserialize.
/// </remarks>
internal sealed unsafe class LmdbSession : IPeerSession
{
    private readonly LmdbPeer _peer;
    private readonly ArrayBufferWriter<byte> _document = new(256);
    private readonly byte[] _copy = new byte[4096];
    private nint _read;
    private nint _cursor;
    private nint _ageCursor;

    public LmdbSession(LmdbPeer peer) => _peer = peer;

    public long Retries => 0;

    /// <summary>Inserts every user in one write transaction (W1 and the preload of the read workloads).</summary>
    public void Load(UserBatches users)
    {
        var txn = BeginWrite();
        try
        {
            foreach (var batch in users)
            {
                foreach (var user in batch)
                {
                    Put(txn, user);
                }
            }
        }
        catch
        {
            LmdbNative.TxnAbort(txn);
            throw;
        }

        LmdbException.Check(LmdbNative.TxnCommit(txn), "mdb_txn_commit");
    }

    public void Insert(User user, CommitMode mode)
    {
        var txn = BeginWrite();
        try
        {
            Put(txn, user);
        }
        catch
        {
            LmdbNative.TxnAbort(txn);
            throw;
        }

        LmdbException.Check(LmdbNative.TxnCommit(txn), "mdb_txn_commit");
    }

    /// <summary>A get as the read workloads count it for LMDB: the raw bytes copied out of the map (see the peer).</summary>
    public User? Get(long id) => Lookup(id, static (session, id, data) =>
    {
        data.CopyTo(session._copy);
        return new User { Id = id };
    });

    /// <summary>A get that deserializes the stored MessagePack into a full <see cref="User"/>.</summary>
    public User? GetMaterialized(long id) => Lookup(id, static (_, id, data) =>
    {
        Span<byte> key = stackalloc byte[UserKeys.MaxIdLength];
        var reader = new MessagePackReader(data);
        return UserSchema.Instance.Deserialize(ref reader, UserKeys.Id(id, key));
    });

    private delegate User Materialize(LmdbSession session, long id, ReadOnlySpan<byte> data);

    /// <summary>Looks <paramref name="id"/> up in a renewed read transaction; the value's bytes are valid only inside <paramref name="materialize"/>.</summary>
    private User? Lookup(long id, Materialize materialize)
    {
        Span<byte> key = UserKeys.Id(id, stackalloc byte[UserKeys.MaxIdLength]);
        var txn = RenewRead();
        try
        {
            fixed (byte* k = key)
            {
                var keyVal = new LmdbNative.Value { Size = (nuint)key.Length, Data = k };
                LmdbNative.Value data;
                var rc = LmdbNative.Get(txn, _peer.Users, &keyVal, &data);
                if (rc == LmdbNative.NotFound)
                {
                    return null;
                }

                LmdbException.Check(rc, "mdb_get");
                return materialize(this, id, data.Span);
            }
        }
        finally
        {
            LmdbNative.TxnReset(txn);
        }
    }

    public int Scan(long firstId, int count, List<User> results)
    {
        Span<byte> key = UserKeys.Id(firstId, stackalloc byte[UserKeys.MaxIdLength]);
        var txn = RenewRead();
        try
        {
            RenewCursor(ref _cursor, txn, _peer.Users);

            fixed (byte* k = key)
            {
                var keyVal = new LmdbNative.Value { Size = (nuint)key.Length, Data = k };
                LmdbNative.Value data;
                var found = 0;
                var op = LmdbNative.CursorOp.SetRange;
                while (found < count)
                {
                    var rc = LmdbNative.CursorGet(_cursor, &keyVal, &data, op);
                    if (rc == LmdbNative.NotFound)
                    {
                        break;
                    }

                    LmdbException.Check(rc, "mdb_cursor_get");
                    data.Span.CopyTo(_copy);
                    var reader = new KeyReader(keyVal.Span);
                    results.Add(new User { Id = reader.ReadInt64() });
                    found++;
                    op = LmdbNative.CursorOp.Next;
                }

                return found;
            }
        }
        finally
        {
            LmdbNative.TxnReset(txn);
        }
    }

    /// <summary>
    /// W5 as LMDB's raw reads count it: the Email entry's Id, then that document's bytes copied out of the map, in one
    /// renewed read transaction.
    /// </summary>
    public User? GetByEmail(string email)
    {
        var key = new KeyWriter(stackalloc byte[128]);
        var txn = RenewRead();
        try
        {
            key.WriteString(email);
            fixed (byte* k = key.WrittenSpan)
            {
                var keyVal = new LmdbNative.Value { Size = (nuint)key.WrittenSpan.Length, Data = k };
                LmdbNative.Value id;
                var rc = LmdbNative.Get(txn, _peer.ByEmail, &keyVal, &id);
                if (rc == LmdbNative.NotFound)
                {
                    return null;
                }

                LmdbException.Check(rc, "mdb_get (users.email)");
                LmdbNative.Value data;
                rc = LmdbNative.Get(txn, _peer.Users, &id, &data);
                LmdbException.Check(rc == LmdbNative.NotFound ? LmdbNative.Corrupted : rc, "mdb_get (users)");
                data.Span.CopyTo(_copy);
                return new User { Id = new KeyReader(id.Span).ReadInt64() };
            }
        }
        finally
        {
            key.Dispose();
            LmdbNative.TxnReset(txn);
        }
    }

    /// <summary>
    /// W6 as LMDB's raw reads count it: the Age entries from (age, 0) on, in Id order, and each referenced document's
    /// bytes copied out of the map, in one renewed read transaction. The returned Users carry the Id and the Age,
    /// both decoded from the entry's key.
    /// </summary>
    public int QueryAge(int age, int limit, List<User> results)
    {
        Span<byte> start = UserKeys.AgePrefix(age, stackalloc byte[UserKeys.MaxAgeEntryLength]);
        var prefixLength = start.Length;
        var txn = RenewRead();
        try
        {
            RenewCursor(ref _ageCursor, txn, _peer.ByAge);

            fixed (byte* k = start)
            {
                var entry = new LmdbNative.Value { Size = (nuint)prefixLength, Data = k };
                LmdbNative.Value empty;
                var found = 0;
                var op = LmdbNative.CursorOp.SetRange;
                while (found < limit)
                {
                    var rc = LmdbNative.CursorGet(_ageCursor, &entry, &empty, op);
                    if (rc == LmdbNative.NotFound)
                    {
                        break;
                    }

                    LmdbException.Check(rc, "mdb_cursor_get (users.age)");
                    if (!entry.Span.StartsWith(start))
                    {
                        break;
                    }

                    var id = entry.Span[prefixLength..];
                    fixed (byte* i = id)
                    {
                        var idVal = new LmdbNative.Value { Size = (nuint)id.Length, Data = i };
                        LmdbNative.Value data;
                        rc = LmdbNative.Get(txn, _peer.Users, &idVal, &data);
                        LmdbException.Check(rc == LmdbNative.NotFound ? LmdbNative.Corrupted : rc, "mdb_get (users)");
                        data.Span.CopyTo(_copy);
                        var fields = new KeyReader(entry.Span);
                        var entryAge = fields.ReadInt32(); // from the entry, so that the workload's check of the Age means something
                        results.Add(new User { Age = entryAge, Id = fields.ReadInt64() });
                    }

                    found++;
                    op = LmdbNative.CursorOp.Next;
                }

                return found;
            }
        }
        finally
        {
            LmdbNative.TxnReset(txn);
        }
    }

    public bool UpdateName(long id, string name, CommitMode mode) => throw Unsupported();

    public void Dispose()
    {
        if (_cursor != 0)
        {
            LmdbNative.CursorClose(_cursor);
            _cursor = 0;
        }

        if (_ageCursor != 0)
        {
            LmdbNative.CursorClose(_ageCursor);
            _ageCursor = 0;
        }

        if (_read != 0)
        {
            LmdbNative.TxnAbort(_read);
            _read = 0;
        }
    }

    private static NotSupportedException Unsupported() => new("The LMDB peer runs W1, W2, W4, W5, W6 and W8 only.");

    private nint BeginWrite()
    {
        LmdbException.Check(LmdbNative.TxnBegin(_peer.Environment, 0, 0, out var txn), "mdb_txn_begin");
        return txn;
    }

    /// <summary>The session's read transaction on a fresh snapshot: begun once, then renewed after each reset.</summary>
    private nint RenewRead()
    {
        if (_read == 0)
        {
            LmdbException.Check(LmdbNative.TxnBegin(_peer.Environment, 0, LmdbNative.ReadOnly, out _read), "mdb_txn_begin");
        }
        else
        {
            LmdbException.Check(LmdbNative.TxnRenew(_read), "mdb_txn_renew");
        }

        return _read;
    }

    /// <summary>The session's cursor on <paramref name="dbi"/>, opened in <paramref name="txn"/> the first time, then renewed into it.</summary>
    private static void RenewCursor(ref nint cursor, nint txn, uint dbi)
    {
        if (cursor == 0)
        {
            LmdbException.Check(LmdbNative.CursorOpen(txn, dbi, out cursor), "mdb_cursor_open");
        }
        else
        {
            LmdbException.Check(LmdbNative.CursorRenew(txn, cursor), "mdb_cursor_renew");
        }
    }

    /// <summary>The document and both index entries; a duplicate Id or Email fails as a unique index would.</summary>
    private void Put(nint txn, User user)
    {
        Span<byte> id = UserKeys.Id(user.Id, stackalloc byte[UserKeys.MaxIdLength]);
        _document.ResetWrittenCount();
        var writer = new MessagePackWriter(_document);
        UserSchema.Instance.Serialize(ref writer, user);
        writer.Flush();
        PutOne(txn, _peer.Users, id, _document.WrittenSpan, LmdbNative.NoOverwrite, "users");
        var email = new KeyWriter(stackalloc byte[128]);
        try
        {
            email.WriteString(user.Email);
            PutOne(txn, _peer.ByEmail, email.WrittenSpan, id, LmdbNative.NoOverwrite, "users.email");
        }
        finally
        {
            email.Dispose();
        }

        Span<byte> age = stackalloc byte[UserKeys.MaxAgeEntryLength];
        PutOne(txn, _peer.ByAge, UserKeys.AgeEntry(user.Age, user.Id, age), ReadOnlySpan<byte>.Empty, 0, "users.age");
    }

    private static void PutOne(nint txn, uint dbi, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, uint flags, string name)
    {
        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            var keyVal = new LmdbNative.Value { Size = (nuint)key.Length, Data = k };
            var dataVal = new LmdbNative.Value { Size = (nuint)value.Length, Data = v };
            LmdbException.Check(LmdbNative.Put(txn, dbi, &keyVal, &dataVal, flags), $"mdb_put ({name})");
        }
    }
}
