using Persistence.Generators.Emitting;
using Persistence.Generators.Tests.Infrastructure;

namespace Persistence.Generators.Tests.Emitting;

/// <summary>
/// AddPersistenceCollections() is emitted once per assembly, listing every collection the generator emits (sorted),
/// only when IServiceCollection is referenced, and never for a collection the assembly cannot name.
/// </summary>
public sealed class ServiceCollectionEmitterTests
{
    private const string Two = """
        namespace App;

        /// <summary>Doc.</summary>
        [Persistence.Collection("zebras")]
        public partial class Zebra
        {
            /// <summary>Doc.</summary>
            [Persistence.PrimaryKey]
            public int Id { get; init; }
        }

        /// <summary>Doc.</summary>
        [Persistence.Collection("apples")]
        internal partial class Apple
        {
            /// <summary>Doc.</summary>
            [Persistence.PrimaryKey]
            public string Id { get; init; } = "";
        }

        /// <summary>Doc.</summary>
        public partial class Outer
        {
            /// <summary>Doc.</summary>
            [Persistence.Collection("hidden")]
            private partial class Hidden
            {
                /// <summary>Doc.</summary>
                [Persistence.PrimaryKey]
                public int Id { get; init; }
            }
        }
        """;

    [Fact]
    public void Registers_every_visible_collection_once_in_name_order()
    {
        var (run, output) = GeneratorHarness.Generate(Two);
        var registration = Assert.Single(run.Results.Single().GeneratedSources, s => s.HintName == ServiceCollectionEmitter.HintName).SourceText.ToString();
        var apple = registration.IndexOf("AddPersistenceCollection<global::App.AppleCollection, global::App.Apple, string>", StringComparison.Ordinal);
        var zebra = registration.IndexOf("AddPersistenceCollection<global::App.ZebraCollection, global::App.Zebra, int>", StringComparison.Ordinal);
        Assert.True(apple > 0 && zebra > apple, registration);
        Assert.DoesNotContain("Hidden", registration, StringComparison.Ordinal);
        Assert.Empty(GeneratorHarness.Problems(output).Select(d => d.ToString()));
    }

    [Fact]
    public void The_keyed_registration_registers_the_same_collections_under_the_key()
    {
        var (run, output) = GeneratorHarness.Generate(Two);
        var registration = Assert.Single(run.Results.Single().GeneratedSources, s => s.HintName == ServiceCollectionEmitter.HintName).SourceText.ToString();
        var keyed = registration.IndexOf("AddKeyedPersistenceCollections(this global::Microsoft.Extensions.DependencyInjection.IServiceCollection services, string serviceKey)", StringComparison.Ordinal);
        Assert.True(keyed > 0, registration);
        var body = registration[keyed..];
        var apple = body.IndexOf("AddKeyedPersistenceCollection<global::App.AppleCollection, global::App.Apple, string>(", StringComparison.Ordinal);
        Assert.Contains("services, serviceKey, static database => new global::App.AppleCollection(database));", body, StringComparison.Ordinal);
        var zebra = body.IndexOf("AddKeyedPersistenceCollection<global::App.ZebraCollection, global::App.Zebra, int>(", StringComparison.Ordinal);
        Assert.True(apple > 0 && zebra > apple, registration);
        Assert.DoesNotContain("Hidden", registration, StringComparison.Ordinal);
        Assert.Empty(GeneratorHarness.Problems(output).Select(d => d.ToString()));
    }

    [Fact]
    public void Nothing_is_emitted_without_dependency_injection()
    {
        var compilation = GeneratorHarness.Compile(dependencyInjection: false, Two);
        var run = GeneratorHarness.CreateDriver().RunGenerators(compilation).GetRunResult();
        Assert.NotEmpty(run.GeneratedTrees);
        Assert.DoesNotContain(run.Results.Single().GeneratedSources, s => s.HintName == ServiceCollectionEmitter.HintName);
    }

    [Fact]
    public void Nothing_is_emitted_without_a_collection()
    {
        var (run, _) = GeneratorHarness.Generate("""
            namespace App;

            /// <summary>Doc.</summary>
            [Persistence.Embedded]
            public partial class Address
            {
                /// <summary>Doc.</summary>
                public string City { get; set; } = "";
            }
            """);
        Assert.DoesNotContain(run.Results.Single().GeneratedSources, s => s.HintName == ServiceCollectionEmitter.HintName);
    }
}
