using System.Text;

namespace Persistence.Generators.Tests.Runtime;

/// <summary>A composite key with parts the key holds exactly (string, int) and parts it normalizes (decimal, double).</summary>
[Collection("parcels")]
public sealed partial class Parcel
{
    /// <summary>Decimal: the key normalizes the scale, so the member stays in the stored map.</summary>
    [PrimaryKey(Order = 0)]
    public decimal Price { get; init; }

    /// <summary>String: read back from the key.</summary>
    [PrimaryKey(Order = 1)]
    public string Sku { get; init; } = "";

    /// <summary>Double: the key makes -0.0 into +0.0, so the member stays in the stored map.</summary>
    [PrimaryKey(Order = 2)]
    public double Weight { get; init; }

    /// <summary>Int, settable: read back from the key.</summary>
    [PrimaryKey(Order = 3)]
    public int Box { get; set; }

    /// <summary>Not in the key.</summary>
    public string Label { get; set; } = "";
}

/// <summary>A key of one part the key does not hold exactly: every member is read from the stored map, none from the key.</summary>
[Collection("tariffs")]
public sealed partial class Tariff
{
    /// <summary>Decimal: the key normalizes the scale, so the member stays in the stored map.</summary>
    [PrimaryKey]
    public decimal Rate { get; init; }

    /// <summary>Not in the key.</summary>
    public string Label { get; set; } = "";
}

/// <summary>
/// Primary-key members that the key holds exactly are not stored in the document's map a second time; they are read
/// back from the key. Members the key would change (a decimal's scale, a negative zero) stay in the map.
/// </summary>
public sealed class KeyMembersTests : IDisposable
{
    private readonly Database _db = Database.OpenInMemory();
    private readonly ParcelCollection _parcels;

    public KeyMembersTests() => _parcels = new ParcelCollection(_db);

    public void Dispose() => _db.Dispose();

    [Fact]
    public void Exact_key_members_come_back_from_the_key_and_inexact_ones_from_the_map()
    {
        var parcel = new Parcel { Price = 1.50m, Sku = "SKU-unique-text", Weight = -0.0, Box = 42, Label = "fragile" };
        _parcels.Insert(parcel);

        var read = _parcels.Get(new ParcelKey(1.5m, "SKU-unique-text", 0.0, 42))!;
        Assert.Equal("1.50", read.Price.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(double.IsNegative(read.Weight));
        Assert.Equal(("SKU-unique-text", 42, "fragile"), (read.Sku, read.Box, read.Label));
        Assert.Equal(read.Sku, _parcels.All().Single().Sku);

        using var tx = _db.BeginRead();
        var cursor = tx.OpenCursor(tx.GetKeyspace("parcels"));
        Assert.True(cursor.First());
        var stored = cursor.Value.ToArray();
        Assert.Contains("fragile", Encoding.UTF8.GetString(stored), StringComparison.Ordinal);
        Assert.DoesNotContain("SKU-unique-text", Encoding.UTF8.GetString(stored), StringComparison.Ordinal);
        Assert.DoesNotContain("Sku", Encoding.UTF8.GetString(stored), StringComparison.Ordinal);
        Assert.DoesNotContain("Box", Encoding.UTF8.GetString(stored), StringComparison.Ordinal);
        Assert.Contains("Price", Encoding.UTF8.GetString(stored), StringComparison.Ordinal);
        Assert.Contains("Weight", Encoding.UTF8.GetString(stored), StringComparison.Ordinal);
        cursor.Dispose();
    }

    /// <summary>
    /// A document stored under its key with a byte after the key's last part does not decode: its Sku and Box would
    /// otherwise be read from the parts, as if it were stored under its key, and a scan would return it twice.
    /// </summary>
    [Fact]
    public void A_document_under_its_key_with_bytes_after_it_cannot_be_decoded()
    {
        _parcels.Insert(new Parcel { Price = 2m, Sku = "a", Weight = 1.0, Box = 7, Label = "fragile" });
        var key = CopyUnderItsKeyAndAByte("parcels");

        var refused = Assert.Throws<PersistenceSerializationException>(() => _parcels.All().ToList());
        Assert.Contains("the end of the key", refused.Message, StringComparison.Ordinal);
        Assert.Contains(_parcels.CheckConsistency(), p => p.Contains($"0x{Convert.ToHexString(key)}", StringComparison.Ordinal)
            && p.Contains("cannot be decoded", StringComparison.Ordinal));
    }

    /// <summary>
    /// The same for a key no member is read from: the key is still read to its end, or the copy under the longer key
    /// would decode as the document itself and a scan would return it twice.
    /// </summary>
    [Fact]
    public void A_document_under_a_key_no_member_is_read_from_with_bytes_after_it_cannot_be_decoded()
    {
        var tariffs = new TariffCollection(_db);
        tariffs.Insert(new Tariff { Rate = 1.25m, Label = "standard" });
        var key = CopyUnderItsKeyAndAByte("tariffs");

        var refused = Assert.Throws<PersistenceSerializationException>(() => tariffs.All().ToList());
        Assert.Contains("the end of the key", refused.Message, StringComparison.Ordinal);
        Assert.Equal("standard", tariffs.Get(1.25m)?.Label);
        Assert.Contains(tariffs.CheckConsistency(), p => p.Contains($"0x{Convert.ToHexString(key)}", StringComparison.Ordinal)
            && p.Contains("cannot be decoded", StringComparison.Ordinal));
    }

    /// <summary>
    /// A refusal names a composite key by its parts, a string part quoted: a Sku "a, b" is one part, where the key
    /// printed itself as ParcelKey { Price = 2, Sku = a, b, ... }.
    /// </summary>
    [Fact]
    public void A_refused_key_names_each_part_with_a_string_part_quoted()
    {
        var parcel = new Parcel { Price = 2.50m, Sku = "a, \"b\"", Weight = 0.5, Box = 7, Label = "fragile" };
        _parcels.Insert(parcel);

        var duplicate = Assert.Throws<DocumentException>(() => _parcels.Insert(parcel));
        var missing = Assert.Throws<DocumentException>(() => _parcels.Update(new Parcel { Price = 1m, Sku = "a, b", Weight = 0.5, Box = 7 }));

        Assert.Contains("A document with the key (2.5, \"a, \\\"b\\\"\", 0.5, 7) already exists in 'parcels'", duplicate.Message, StringComparison.Ordinal);
        Assert.Contains("No document with the key (1, \"a, b\", 0.5, 7) exists in 'parcels'", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_null_string_key_member_is_refused_with_a_serialization_error()
    {
        var error = Assert.Throws<PersistenceSerializationException>(() => _parcels.Insert(new Parcel { Sku = null! }));
        Assert.Equal(ErrorCode.SerializationError, error.Code);
        Assert.Contains("Parcel.Sku is null", error.Message, StringComparison.Ordinal);
        Assert.Empty(_parcels.All());
    }

    /// <summary>Stores the single document of <paramref name="keyspace"/> again under its key and a byte; returns that key.</summary>
    private byte[] CopyUnderItsKeyAndAByte(string keyspace)
    {
        byte[] key = [];
        _db.Write(tx =>
        {
            var documents = tx.GetKeyspace(keyspace);
            var stored = tx.Scan(documents).Select(e => (Key: e.Key.ToArray(), Value: e.Value.ToArray())).Single();
            key = [.. stored.Key, 0x00];
            tx.Put(documents, key, stored.Value);
        });
        return key;
    }
}
