using Microsoft.CodeAnalysis;
using Persistence.Generators.Emitting;
using Persistence.Generators.Tests.Infrastructure;

namespace Persistence.Generators.Tests.Emitting;

/// <summary>
/// AddPersistenceCollections() is emitted once per assembly, listing every collection the generator emits (sorted),
/// only when IServiceCollection is referenced, and never for a collection the assembly cannot name. It is internal; an
/// assembly with a public collection also gets a public Add{Assembly}Collections(), so that a host registers the
/// collections of the class libraries it references.
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
        Assert.Contains("services, serviceKey, \"apples\", hasExpiresAt: false, static database => new global::App.AppleCollection(database));", body, StringComparison.Ordinal);
        var zebra = body.IndexOf("AddKeyedPersistenceCollection<global::App.ZebraCollection, global::App.Zebra, int>(", StringComparison.Ordinal);
        Assert.True(apple > 0 && zebra > apple, registration);
        Assert.DoesNotContain("Hidden", registration, StringComparison.Ordinal);
        Assert.Empty(GeneratorHarness.Problems(output).Select(d => d.ToString()));
    }

    /// <summary>
    /// Each registration hands the runtime the collection's name and whether it has an [ExpiresAt] member, so that the
    /// hosted TTL collector builds at start only collections that may hold expired documents.
    /// </summary>
    [Fact]
    public void Each_registration_names_its_collection_and_says_whether_it_has_an_expiry_member()
    {
        const string source = """
            namespace App;

            /// <summary>Doc.</summary>
            [Persistence.Collection("sessions")]
            public partial class Session
            {
                /// <summary>Doc.</summary>
                [Persistence.PrimaryKey]
                public int Id { get; init; }

                /// <summary>Doc.</summary>
                [Persistence.ExpiresAt]
                public System.DateTimeOffset? Expires { get; set; }
            }
            """;
        var (run, output) = GeneratorHarness.Generate(source, Two);
        var registration = Assert.Single(run.Results.Single().GeneratedSources, s => s.HintName == ServiceCollectionEmitter.HintName).SourceText.ToString();
        Assert.Contains("services, \"sessions\", hasExpiresAt: true, static database => new global::App.SessionCollection(database));", registration, StringComparison.Ordinal);
        Assert.Contains("services, \"zebras\", hasExpiresAt: false, static database => new global::App.ZebraCollection(database));", registration, StringComparison.Ordinal);
        Assert.Contains("services, serviceKey, \"sessions\", hasExpiresAt: true, static database => new global::App.SessionCollection(database));", registration, StringComparison.Ordinal);
        Assert.Empty(GeneratorHarness.Problems(output).Select(d => d.ToString()));
    }

    [Fact]
    public void A_public_collection_makes_the_assembly_registration_public_under_the_assemblys_name()
    {
        var (run, output) = GeneratorHarness.Generate(Two);
        var registration = Assert.Single(run.Results.Single().GeneratedSources, s => s.HintName == ServiceCollectionEmitter.HintName).SourceText.ToString();
        Assert.Contains("internal static class PersistenceCollectionsServiceCollectionExtensions", registration, StringComparison.Ordinal);
        Assert.Contains("public static class PersistenceGeneratorsInputCollectionsServiceCollectionExtensions", registration, StringComparison.Ordinal);
        Assert.Contains("AddPersistenceGeneratorsInputCollections(this global::Microsoft.Extensions.DependencyInjection.IServiceCollection services) =>", registration, StringComparison.Ordinal);
        Assert.Contains("AddKeyedPersistenceGeneratorsInputCollections(this global::Microsoft.Extensions.DependencyInjection.IServiceCollection services, string serviceKey) =>", registration, StringComparison.Ordinal);
        Assert.Empty(GeneratorHarness.Problems(output).Select(d => d.ToString()));
    }

    [Theory]
    [InlineData("internal partial class Apple", "")]
    [InlineData("public partial class Apple", "/// <summary>Doc.</summary>\ninternal static partial class Outer\n{\n")]
    [InlineData("public partial class Apple", "/// <summary>Doc.</summary>\npublic static partial class Outer\n{\n/// <summary>Doc.</summary>\ninternal static partial class Inner\n{\n")]
    public void Collections_no_other_assembly_can_name_keep_the_registration_internal(string declaration, string containers)
    {
        var depth = containers.Count(c => c == '{');
        var source = "namespace App;\n\n" + containers + $$"""
            /// <summary>Doc.</summary>
            [Persistence.Collection("apples")]
            {{declaration}}
            {
                /// <summary>Doc.</summary>
                [Persistence.PrimaryKey]
                public string Id { get; init; } = "";
            }
            """ + new string('}', depth);
        var (run, output) = GeneratorHarness.Generate(source);
        var registration = Assert.Single(run.Results.Single().GeneratedSources, s => s.HintName == ServiceCollectionEmitter.HintName).SourceText.ToString();
        Assert.DoesNotContain("public static class", registration, StringComparison.Ordinal);
        Assert.Empty(GeneratorHarness.Problems(output).Select(d => d.ToString()));
    }

    [Theory]
    [InlineData("Contoso.Orders.Data", "ContosoOrdersData")]
    [InlineData("contoso-orders_v2", "ContosoOrders_v2")]
    [InlineData("3d.models", "_3dModels")]
    [InlineData("Persistence", "PersistenceAssembly")]
    [InlineData("...", null)]
    [InlineData(null, null)]
    public void The_public_registration_is_named_after_the_assembly(string? assemblyName, string? identifier) =>
        Assert.Equal(identifier, ServiceCollectionEmitter.PublicIdentifier(assemblyName));

    /// <summary>
    /// A host with collections of its own references two class libraries with public collections: it calls its own
    /// AddPersistenceCollections() and each library's Add{Assembly}Collections(), keyed or not, and the whole compiles
    /// without a warning (each assembly's internal AddPersistenceCollections() stays its own).
    /// </summary>
    [Fact]
    public void A_host_registers_its_own_collections_and_those_of_the_libraries_it_references()
    {
        var orders = Library("Contoso.Orders", "Contoso.Orders", "Order", "orders");
        var billing = Library("Contoso.Billing", "Contoso.Billing", "Invoice", "invoices");
        var host = GeneratorHarness.Compile("""
            using Microsoft.Extensions.DependencyInjection;

            namespace Contoso.Host;

            /// <summary>Doc.</summary>
            [Persistence.Collection("notes")]
            public partial class Note
            {
                /// <summary>Doc.</summary>
                [Persistence.PrimaryKey]
                public int Id { get; init; }
            }

            /// <summary>Doc.</summary>
            public static class Setup
            {
                /// <summary>Doc.</summary>
                public static IServiceCollection Register(IServiceCollection services) => services
                    .AddPersistenceCollections()
                    .AddContosoOrdersCollections()
                    .AddContosoBillingCollections()
                    .AddKeyedPersistenceCollections("archive")
                    .AddKeyedContosoOrdersCollections("archive");

                /// <summary>Doc.</summary>
                public static global::Persistence.Collections.IRepository<global::Contoso.Orders.Order, int> Orders(global::System.IServiceProvider services) =>
                    services.GetRequiredService<global::Contoso.Orders.OrderCollection>();
            }
            """).WithAssemblyName("Contoso.Host").AddReferences(orders, billing);
        GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(host, out var output, out var diagnostics);
        Assert.Empty(diagnostics);
        Assert.Empty(GeneratorHarness.Problems(output).Select(d => d.ToString()));
    }

    /// <summary>A class library named <paramref name="assembly"/> with one public collection, compiled with its generated code.</summary>
    private static MetadataReference Library(string assembly, string ns, string type, string collection)
    {
        var compilation = GeneratorHarness.Compile($$"""
            namespace {{ns}};

            /// <summary>Doc.</summary>
            [Persistence.Collection("{{collection}}")]
            public partial class {{type}}
            {
                /// <summary>Doc.</summary>
                [Persistence.PrimaryKey]
                public int Id { get; init; }
            }
            """).WithAssemblyName(assembly);
        GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        using var image = new MemoryStream();
        var emitted = output.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        return MetadataReference.CreateFromImage(image.ToArray());
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
