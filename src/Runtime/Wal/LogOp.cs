namespace Persistence.Wal;

/// <summary>The kinds of logical redo operations a transaction log holds.</summary>
internal enum LogOpKind : byte
{
    Put = 1,
    Delete = 2,
    CreateKeyspace = 3,
    DropKeyspace = 4,
}

/// <summary>One decoded operation. <see cref="Key"/> holds the keyspace name for <see cref="LogOpKind.CreateKeyspace"/>.</summary>
internal readonly record struct LogOp(LogOpKind Kind, int KeyspaceId, ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte> Value);
