using System.Buffers;
using Persistence.Generators.Tests.Golden.Tagged;
using Persistence.Serialization;
using Persistence.Testing;
using V1 = Persistence.Generators.Tests.Runtime.Evolution.GaugeV1;
using V2 = Persistence.Generators.Tests.Runtime.Evolution.GaugeV2;
using V3 = Persistence.Generators.Tests.Runtime.Evolution.GaugeV3;
using V4 = Persistence.Generators.Tests.Runtime.Evolution.GaugeV4;

namespace Persistence.Generators.Tests.Runtime;

/// <summary>
/// A type whose members are tagged exactly 1 to n is written as a MessagePack array without keys (element i holds
/// tag i + 1, a key-held member's position nil). Readers accept arrays and maps alike, so versions that move between
/// the layouts (a member added at the end, or removed, which leaves a gap and falls back to the map) read each other.
/// </summary>
public sealed class ArrayLayoutTests : IDisposable
{
    private static readonly DateTime At = new(2026, 11, 22, 13, 45, 7, DateTimeKind.Utc);

    private readonly Database _db = Database.OpenInMemory();

    public void Dispose() => _db.Dispose();

    [Fact]
    public void A_fully_tagged_type_is_an_array_without_keys_and_python_reads_it()
    {
        var reading = new Reading { Id = 9, Sensor = "t1", Value = 1.5, At = At, Where = new Position { Lat = 2, Lon = -3 } };
        var bytes = Bytes((ref MessagePackWriter w) => ReadingSchema.Instance.Serialize(ref w, reading));
        Assert.Equal(0x95, bytes[0]); // five elements
        Assert.Equal(0xc0, bytes[1]); // the Id's position: the key holds it

        var seconds = new DateTimeOffset(At).ToUnixTimeSeconds();
        var line = PythonMsgpack.Run("decode", [Convert.ToHexStringLower(bytes)])[0];
        Assert.Equal($"[nil,str:74,31,float:{F(1.5)},ts:{seconds}:0,[float:{F(2)},float:{F(-3)}]]", line);
    }

    [Fact]
    public void Documents_round_trip_through_a_collection_and_its_index()
    {
        var readings = new ReadingCollection(_db);
        readings.Insert(new Reading { Id = 1, Sensor = "a", Value = 0.25, At = At, Where = null });
        readings.Insert(new Reading { Id = 2, Sensor = "b", Value = -7, At = At.AddDays(1), Where = new Position { Lat = 59.3, Lon = 18.1 } });

        var read = readings.Get(2)!;
        Assert.Equal((2L, "b", -7.0, At.AddDays(1), 59.3, 18.1), (read.Id, read.Sensor, read.Value, read.At, read.Where!.Lat, read.Where.Lon));
        Assert.Null(readings.Get(1)!.Where);
        Assert.Equal([1L], readings.BySensor.Find("a").Select(r => r.Id));
        Assert.Equal([2L], readings.Query().Where(f => f.Value.LessThan(0)).Select(r => r.Id));
    }

    [Fact]
    public void A_version_with_a_member_added_at_the_end_reads_older_arrays_and_the_older_reads_its_arrays()
    {
        new V1.GaugeCollection(_db).Insert(new V1.Gauge { Id = 1, Name = "boiler", Level = 3 });
        new V2.GaugeCollection(_db).Insert(new V2.Gauge { Id = 2, Name = "tank", Level = 4, Unit = "bar" });

        var newer = new V2.GaugeCollection(_db).Get(1)!;
        Assert.Equal(("boiler", 3, "kPa"), (newer.Name, newer.Level, newer.Unit)); // missing: the initializer stays
        var older = new V1.GaugeCollection(_db).Get(2)!;
        Assert.Equal(("tank", 4), (older.Name, older.Level)); // the extra element is skipped
    }

    [Fact]
    public void A_version_with_a_gap_in_its_tags_writes_maps_and_both_layouts_read_each_other()
    {
        new V1.GaugeCollection(_db).Insert(new V1.Gauge { Id = 1, Name = "boiler", Level = 3 });
        var v3 = new V3.GaugeCollection(_db);
        v3.Insert(new V3.Gauge { Id = 2, Name = "tank", Unit = "bar" });

        var stored = Stored(2);
        Assert.Equal(0x82, stored[0]); // a map of two entries: Name and Unit
        var fromArray = v3.Get(1)!;
        Assert.Equal(("boiler", "kPa"), (fromArray.Name, fromArray.Unit)); // element 3 (Level) skipped
        var fromMap = new V1.GaugeCollection(_db).Get(2)!;
        Assert.Equal(("tank", -1), (fromMap.Name, fromMap.Level)); // Level missing from the map: the initializer stays
        Assert.Equal("bar", new V2.GaugeCollection(_db).Get(2)!.Unit);
    }

    [Fact]
    public void A_type_whose_only_tagged_member_is_the_key_skips_every_array_element()
    {
        new V1.GaugeCollection(_db).Insert(new V1.Gauge { Id = 1, Name = "boiler", Level = 3 });
        var gauge = new V4.GaugeCollection(_db).Get(1)!;
        Assert.Equal((1, "unnamed"), (gauge.Id, gauge.Name)); // an untagged member is matched by name, which arrays lack
        Assert.Equal(1, new V4.GaugeCollection(_db).Count());
    }

    [Fact]
    public void Arrays_and_maps_written_by_python_are_read_and_a_nil_for_a_non_nullable_member_is_refused()
    {
        var lines = PythonMsgpack.Run("encode",
        [
            """[99, "p", 2.5, Timestamp(1, 0), [1.0, 2.0], "extra", {"x": 1}]""",
            """{3: 2.5, 2: "q", "Name": "skipped", 1: 7}""",
            """[None, None, 2.5]""",
        ]);
        var key = Key(5);

        var fromArray = Read(lines[0], key);
        Assert.Equal((5L, "p", 2.5, DateTime.UnixEpoch.AddSeconds(1), 2.0), (fromArray.Id, fromArray.Sensor, fromArray.Value, fromArray.At, fromArray.Where!.Lon));
        var fromMap = Read(lines[1], key);
        Assert.Equal((5L, "q", 2.5, default(DateTime), (Position?)null), (fromMap.Id, fromMap.Sensor, fromMap.Value, fromMap.At, fromMap.Where));
        var error = Assert.Throws<PersistenceSerializationException>(() => Read(lines[2], key));
        Assert.Contains("Reading.Sensor is nil", error.Message, StringComparison.Ordinal);
    }

    private delegate void WriteAction(ref MessagePackWriter writer);

    private byte[] Stored(int id)
    {
        using var tx = _db.BeginRead();
        var key = new KeyWriter(stackalloc byte[16]);
        key.WriteInt32(id);
        Assert.True(tx.TryGet(tx.GetKeyspace("gauges"), key.WrittenSpan, out var value));
        return value.ToArray();
    }

    private static byte[] Key(long id)
    {
        var writer = new KeyWriter(stackalloc byte[16]);
        writer.WriteInt64(id);
        return writer.ToArray();
    }

    private static Reading Read(string line, byte[] key)
    {
        var reader = new MessagePackReader(Convert.FromHexString(line.Split('\t')[0]));
        var reading = ReadingSchema.Instance.Deserialize(ref reader, key);
        Assert.True(reader.End);
        return reading;
    }

    private static byte[] Bytes(WriteAction write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static string F(double value) => BitConverter.GetBytes(BitConverter.DoubleToInt64Bits(value)).Reverse().Aggregate("", (s, b) => s + b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
}
