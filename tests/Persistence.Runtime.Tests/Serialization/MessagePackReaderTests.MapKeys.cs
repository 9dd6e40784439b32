using Persistence.Serialization;
using static Persistence.Tests.Serialization.MessagePackTesting;

namespace Persistence.Tests.Serialization;

/// <summary>TryReadInt32: the map-key probe generated deserializers use to tell member tags from member names.</summary>
public sealed partial class MessagePackReaderTests
{
    [Theory]
    [InlineData("05", 5)]
    [InlineData("cc05", 5)]
    [InlineData("cd0005", 5)]
    [InlineData("ce00000005", 5)]
    [InlineData("cf0000000000000005", 5)]
    [InlineData("d200000005", 5)]
    [InlineData("d30000000000000005", 5)]
    [InlineData("ff", -1)]
    [InlineData("ce7fffffff", int.MaxValue)]
    [InlineData("d280000000", int.MinValue)]
    public void TryReadInt32_reads_any_integer_encoding_that_fits(string hex, int expected)
    {
        var bytes = FromHex(hex);
        var reader = new MessagePackReader(bytes);
        Assert.True(reader.TryReadInt32(out var value));
        Assert.Equal(expected, value);
        Assert.True(reader.End);
    }

    [Theory]
    [InlineData("ce80000000")]
    [InlineData("cfffffffffffffffff")]
    [InlineData("d3ffffffff7fffffff")]
    [InlineData("a149")]
    [InlineData("c0")]
    [InlineData("cb3ff0000000000000")]
    public void TryReadInt32_consumes_nothing_when_the_value_is_not_an_int(string hex)
    {
        var bytes = FromHex(hex);
        var reader = new MessagePackReader(bytes);
        Assert.False(reader.TryReadInt32(out _));
        Assert.Equal(0, reader.Position);
        reader.Skip();
        Assert.True(reader.End);
    }

    [Fact]
    public void TryReadInt32_reports_a_truncated_integer()
    {
        AssertMalformed("cd00", (ref MessagePackReader r) => r.TryReadInt32(out _));
        AssertMalformed("", (ref MessagePackReader r) => r.TryReadInt32(out _));
    }
}
