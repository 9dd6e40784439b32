using Persistence.Serialization;
using static Persistence.Tests.Serialization.MessagePackTesting;

namespace Persistence.Tests.Serialization;

public sealed partial class MessagePackReaderTests
{
    private static void WriteNestedDocument(ref MessagePackWriter w)
    {
        w.WriteMapHeader(4);
        w.WriteString("numbers");
        w.WriteArrayHeader(8);
        w.Write(1);
        w.Write(-100);
        w.Write(300);
        w.Write(70000);
        w.Write(long.MinValue);
        w.Write(ulong.MaxValue);
        w.Write(1.5f);
        w.Write(2.5);
        w.WriteString("texts");
        w.WriteArrayHeader(4);
        w.WriteString("");
        w.WriteString(new string('a', 40));
        w.WriteString(new string('b', 300));
        w.WriteString(new string('c', 70000));
        w.WriteString("binaries and extensions");
        w.WriteArrayHeader(9);
        w.WriteBinary(new byte[3]);
        w.WriteBinary(new byte[300]);
        w.WriteBinary(new byte[70000]);
        w.WriteExtension(1, new byte[1]);
        w.WriteExtension(1, new byte[16]);
        w.WriteExtension(1, new byte[5]);
        w.WriteExtension(1, new byte[300]);
        w.WriteExtension(1, new byte[70000]);
        w.WriteTimestamp(DateTime.UnixEpoch.AddYears(-10));
        w.WriteArrayHeader(20);
        for (int i = 0; i < 20; i++)
        {
            w.WriteMapHeader(i % 3);
            for (int j = 0; j < i % 3; j++)
            {
                w.Write(j);
                w.WriteArrayHeader(2);
                w.WriteNil();
                w.Write(true);
            }
        }

        w.WriteMapHeader(17);
        for (int i = 0; i < 17; i++)
        {
            w.Write(i);
            w.Write(false);
        }
    }

    [Fact]
    public void Skip_consumes_exactly_one_nested_value()
    {
        byte[] document = Pack(WriteNestedDocument);
        byte[] withTrailer = [.. document, 0x2a];
        var reader = new MessagePackReader(withTrailer);
        reader.Skip();
        Assert.Equal(document.Length, reader.Position);
        Assert.Equal(42, reader.ReadInt32());
        Assert.True(reader.End);

        var raw = new MessagePackReader(withTrailer);
        Assert.Equal(document, raw.ReadRawValue().ToArray());
    }

    [Fact]
    public void Skip_of_every_truncation_of_a_nested_document_throws()
    {
        byte[] document = Pack(WriteNestedDocument);
        for (int cut = 0; cut < document.Length; cut += cut < 2000 ? 1 : 997)
        {
            AssertMalformed(document[..cut], (ref MessagePackReader r) => r.Skip());
        }
    }

    [Fact]
    public void Skip_handles_hostile_nesting_depth_without_recursion()
    {
        const int Depth = 1_000_000;
        byte[] deep = new byte[Depth + 1];
        deep.AsSpan(0, Depth).Fill(0x91); // fixarray of one element, nested a million times
        deep[Depth] = 0x00;
        var reader = new MessagePackReader(deep);
        reader.Skip();
        Assert.True(reader.End);

        AssertMalformed(deep[..Depth], (ref MessagePackReader r) => r.Skip());

        byte[] wide = new byte[100_000];
        wide.AsSpan().Fill(0x9f); // every array claims 15 elements: the pending count grows, the input ends
        AssertMalformed(wide, (ref MessagePackReader r) => r.Skip());
    }
}
