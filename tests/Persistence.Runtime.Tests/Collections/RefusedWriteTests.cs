using Persistence.Collections;
using Persistence.Serialization;
using Persistence.Testing;

namespace Persistence.Tests.Collections;

/// <summary>
/// A write refused for its document (a serializer that throws) or for an entry it would put (a key too long) is
/// refused before its first write: the expiry entry, the index entries and the document stay as they were.
/// </summary>
public sealed class RefusedWriteTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly Database _db;
    private readonly ItemCollection _items;

    public RefusedWriteTests()
    {
        var options = new DatabaseOptions { TimeProvider = _time };
        options.Ttl.RunCollectorInBackground = false;
        _db = Database.OpenInMemory(options);
        _items = new ItemCollection(_db);
    }

    public void Dispose() => _db.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_update_whose_serializer_throws_leaves_the_expiry_entry_where_it_was(bool large)
    {
        _items.Insert(new Item { Id = 1, Tag = "a", ExpiresAt = Start + TimeSpan.FromHours(1) });
        using (var tx = _db.BeginWrite())
        {
            if (large)
            {
                tx.CreateKeyspace("promotes");
            }

            Assert.Throws<InvalidOperationException>(() => _items.Update(new Item { Id = 1, Tag = Item.Throws, ExpiresAt = Start + TimeSpan.FromSeconds(1) }, tx));
            Assert.Empty(_items.CheckConsistency(tx));
            tx.Commit();
        }

        // Had the refused update moved the expiry entry to its earlier instant, the collector would delete a live document.
        _time.Advance(TimeSpan.FromSeconds(2));
        await _db.CollectExpiredAsync();
        Assert.Equal("a", _items.Get(1)?.Tag);
        Assert.Empty(_items.CheckConsistency());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_insert_whose_index_entry_is_too_long_writes_nothing(bool large)
    {
        using var tx = _db.BeginWrite();
        if (large)
        {
            tx.CreateKeyspace("promotes");
        }

        // The value alone fits a key; with the primary key after it, the entry does not.
        var refused = Assert.Throws<LimitExceededException>(() =>
            _items.Insert(new Item { Id = 1, Tag = new string('t', _db.MaxKeySize - 3), ExpiresAt = Start + TimeSpan.FromHours(1) }, tx));
        Assert.Equal(ErrorCode.KeyTooLarge, refused.Code);
        Assert.Null(_items.Get(1, tx));
        Assert.Empty(_items.CheckConsistency(tx));
        Assert.Equal(0, _items.Count(tx));
    }

    public sealed class Item
    {
        /// <summary>A tag the serializer refuses (a getter that throws, say).</summary>
        public const string Throws = "throws";

        public long Id { get; init; }

        public string Tag { get; set; } = "";

        public DateTimeOffset? ExpiresAt { get; set; }
    }

    private sealed class ItemCollection(Database database) : Collection<Item, long>(database, ItemSchema.Instance);

    private sealed class ItemSchema : DocumentSchema<Item, long>
    {
        public static readonly ItemSchema Instance = new();

        private ItemSchema()
            : base("items", [new TagIndex()])
        {
        }

        public override long GetKey(Item document) => document.Id;

        public override void WriteKey(ref KeyWriter writer, long key) => writer.WriteInt64(key);

        public override long ReadKey(ref KeyReader reader) => reader.ReadInt64();

        public override bool HasExpiresAt => true;

        public override DateTimeOffset? GetExpiresAt(Item document) => document.ExpiresAt;

        public override void Serialize(ref MessagePackWriter writer, Item document)
        {
            if (document.Tag == Item.Throws)
            {
                throw new InvalidOperationException("The serializer refuses this document.");
            }

            writer.WriteArrayHeader(2);
            writer.WriteString(document.Tag);
            if (document.ExpiresAt is { } expiresAt)
            {
                writer.Write(expiresAt);
            }
            else
            {
                writer.WriteNil();
            }
        }

        public override Item Deserialize(ref MessagePackReader reader, scoped ReadOnlySpan<byte> primaryKey)
        {
            var id = new KeyReader(primaryKey).ReadInt64();
            reader.ReadArrayHeader();
            var tag = reader.ReadNullableString() ?? "";
            var expiresAt = reader.TryReadNil() ? (DateTimeOffset?)null : reader.ReadDateTimeOffset();
            return new Item { Id = id, Tag = tag, ExpiresAt = expiresAt };
        }
    }

    private sealed class TagIndex() : IndexSchema<Item>("Tag", false, ["Tag"])
    {
        public override bool WriteKey(ref KeyWriter writer, Item document)
        {
            writer.WriteString(document.Tag);
            return true;
        }

        public override void SkipKey(ref KeyReader reader) => reader.ReadString();
    }
}
