using System.Buffers;
using Persistence.Generators.Tests.Golden.Embedded;
using Persistence.Serialization;

namespace Persistence.Generators.Tests.Runtime;

/// <summary>Embedded objects round-trip directly, in lists, in dictionaries and as trees; cycles and hostile nesting fail cleanly.</summary>
public sealed class EmbeddedTests
{
    [Fact]
    public void Embedded_objects_round_trip()
    {
        using var db = Database.OpenInMemory();
        var customers = new CustomerCollection(db);
        var tree = new TreeNode { Name = "root", Children = [new TreeNode { Name = "a", Children = [new TreeNode { Name = "a1" }] }, new TreeNode { Name = "b" }] };
        customers.Insert(new Customer
        {
            Id = 1,
            Home = new Address("Main St 1", "Springfield") { Location = new Geo { Latitude = 1.5, Longitude = -2.25 } },
            Addresses = [new Address("A", "B"), new Address("", "")],
            ByLabel = new() { ["work"] = new Address("W", "X") },
            Tree = tree,
        });

        var loaded = customers.Get(1)!;
        Assert.Equal(new Address("Main St 1", "Springfield") { Location = loaded.Home!.Location }, loaded.Home);
        Assert.Equal((1.5, -2.25), (loaded.Home.Location!.Latitude, loaded.Home.Location.Longitude));
        Assert.Equal([new Address("A", "B"), new Address("", "")], loaded.Addresses);
        Assert.Equal(new Address("W", "X"), loaded.ByLabel["work"]);
        Assert.Equal("a1", loaded.Tree!.Children[0].Children[0].Name);
        Assert.Equal(["a", "b"], loaded.Tree.Children.Select(c => c.Name));
    }

    [Fact]
    public void A_cycle_is_refused_on_write()
    {
        using var db = Database.OpenInMemory();
        var node = new TreeNode { Name = "loop" };
        node.Children.Add(node);
        var error = Assert.Throws<PersistenceSerializationException>(() => new CustomerCollection(db).Insert(new Customer { Id = 1, Tree = node }));
        Assert.Contains("cycle", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hostile_nesting_is_refused_on_read()
    {
        // {"Name": "", "Children": [ {"Children": [ ... ]} ]} nested far deeper than MessagePackReader.MaxDepth.
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        for (var i = 0; i < MessagePackReader.MaxDepth + 10; i++)
        {
            writer.WriteMapHeader(1);
            writer.WriteString("Children");
            writer.WriteArrayHeader(1);
        }

        writer.WriteMapHeader(0);
        writer.Flush();
        var error = Assert.Throws<PersistenceSerializationException>(() =>
        {
            var reader = new MessagePackReader(buffer.WrittenSpan);
            TreeNodeSerializer.Read(ref reader);
        });
        Assert.Contains("nesting", error.Message, StringComparison.Ordinal);
    }
}
