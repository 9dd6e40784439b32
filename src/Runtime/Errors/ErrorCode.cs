namespace Persistence;

/// <summary>
/// Every failure that Persistence reports carries one of these codes (docs/ERRORS.md lists them with the exception each is thrown as). Codes are stable: they are part of the public
/// contract and are never renumbered. They are grouped by when they happen, in the manner of bbolt's errors package.
/// </summary>
public enum ErrorCode
{
    /// <summary>No error code was assigned. Never thrown by Persistence itself.</summary>
    None = 0,

    // ---- Opening a database (1xx) ----

    /// <summary>Another process or another database instance already owns the database file.</summary>
    DatabaseLocked = 100,

    /// <summary>The file exists but is not a Persistence database (bad magic number in both meta pages).</summary>
    NotADatabase = 101,

    /// <summary>The file was written by a format version this library does not read: a newer one, or a pre-release one older than the oldest it reads.</summary>
    UnsupportedFormatVersion = 102,

    /// <summary>The file is shorter than its own meta page says it is.</summary>
    FileTruncated = 103,

    /// <summary>The options are invalid (for example a page size that is not a power of two between 4 and 64 KiB).</summary>
    InvalidOptions = 104,

    /// <summary>A new database was to be created where one, or its log or lock file, already exists (the target of a backup or a salvage).</summary>
    DatabaseExists = 105,

    // ---- Using a database, transaction or cursor (2xx) ----

    /// <summary>The database has been disposed.</summary>
    DatabaseClosed = 200,

    /// <summary>The transaction was already committed, rolled back or disposed.</summary>
    TransactionCompleted = 201,

    /// <summary>A write was attempted through a read transaction (a query's <c>Delete</c> given one).</summary>
    ReadOnlyTransaction = 202,

    /// <summary>
    /// A cursor was used after its disposal, or its key or value was read while it is on no key (or after a write of the
    /// same transaction deleted its key). A cursor used after its transaction ended throws the transaction's
    /// <see cref="TransactionCompleted"/>.
    /// </summary>
    CursorClosed = 203,

    /// <summary>
    /// A write in the transaction failed part-way (an I/O error reading a page, say), so what the transaction holds is no
    /// longer known to be whole: it can only be rolled back or disposed.
    /// </summary>
    TransactionFailed = 204,

    /// <summary>
    /// A write transaction was used by two threads at once: a call began while another thread was inside one of its
    /// operations. The refused call did nothing, and the transaction has failed (<see cref="TransactionFailed"/>): it can
    /// only be rolled back or disposed, and nothing of it is committed.
    /// </summary>
    TransactionInUse = 205,

    /// <summary>A key was empty. Keys must contain at least one byte.</summary>
    KeyEmpty = 210,

    /// <summary>A key is longer than the page size allows (an eighth of a page: 1 KiB with 8 KiB pages).</summary>
    KeyTooLarge = 211,

    /// <summary>A value is larger than the documented maximum value size.</summary>
    ValueTooLarge = 212,

    /// <summary>A keyspace name is empty, too long, or contains characters that are not allowed.</summary>
    InvalidKeyspaceName = 213,

    /// <summary>The keyspace does not exist in this transaction's snapshot.</summary>
    KeyspaceNotFound = 214,

    /// <summary>A keyspace with that name already exists.</summary>
    KeyspaceExists = 215,

    /// <summary>A handle (keyspace or cursor) belongs to a different database.</summary>
    ForeignHandle = 216,

    // ---- Concurrency (3xx) ----

    /// <summary>Another transaction committed a write to a key that this transaction also wrote (first committer wins).</summary>
    WriteConflict = 300,

    /// <summary>A retried operation still conflicted after the configured number of attempts.</summary>
    RetryLimitExceeded = 301,

    // ---- Storage and integrity (4xx) ----

    /// <summary>An I/O operation failed. The message carries the operating system's reason.</summary>
    IOError = 400,

    /// <summary>The disk is full.</summary>
    OutOfSpace = 401,

    /// <summary>Data read from disk failed verification (checksum, page identity or structure).</summary>
    Corruption = 402,

    /// <summary>
    /// The database refuses writes because an earlier fsync or write failed, or because corruption was detected.
    /// Reopen the database to recover from the write-ahead log.
    /// </summary>
    DatabaseReadOnly = 403,

    // ---- Serialization and typed collections (5xx) ----

    /// <summary>Bytes could not be decoded as the expected MessagePack or key encoding.</summary>
    SerializationError = 500,

    /// <summary>A unique index already holds the value being written.</summary>
    UniqueConstraintViolation = 501,

    /// <summary>A document with that primary key already exists.</summary>
    DuplicateKey = 502,

    /// <summary>No document has that primary key, or none matches a query whose <c>First</c> needs one.</summary>
    DocumentNotFound = 503,

    /// <summary>A query cannot be executed as written.</summary>
    InvalidQuery = 504,

    /// <summary>
    /// The collection's documents are stored under primary keys of another encoding than its type declares (the key
    /// member's type changed, say from int to string): they cannot be found by the declared key.
    /// </summary>
    PrimaryKeyChanged = 505,

    /// <summary>
    /// Two documents stored under primary keys of the earlier encoding of DateTime and DateTimeOffset parts have one key
    /// in the declared encoding (one instant at two offsets, or a Local and a UTC DateTime of one instant), so the
    /// collection cannot move them under their keys; it refuses to open, and nothing is written.
    /// </summary>
    PrimaryKeysCollide = 506,
}
