using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Persistence.Generators.Tests.Infrastructure;

namespace Persistence.Generators.Tests.Emitting;

/// <summary>
/// Every named pipeline step is cached: an edit that does not change any model leaves every step's outputs Cached or
/// Unchanged (so nothing is re-emitted), and an edit that changes a model makes the steps downstream of it Modified.
/// </summary>
public sealed class IncrementalCachingTests
{
    private const string Collection = """
        namespace App;

        /// <summary>Doc.</summary>
        [Persistence.Collection("people")]
        public partial class Person
        {
            /// <summary>Doc.</summary>
            [Persistence.PrimaryKey]
            public int Id { get; init; }

            /// <summary>Doc.</summary>
            [Persistence.Index]
            public string Name { get; set; } = "";

            /// <summary>Doc.</summary>
            public Address? Home { get; set; }

            /// <summary>Doc.</summary>
            public int Compute() => 1;
        }

        /// <summary>Doc.</summary>
        [Persistence.Embedded]
        public partial class Address
        {
            /// <summary>Doc.</summary>
            public string City { get; set; } = "";
        }
        """;

    private const string Other = """
        namespace App;

        /// <summary>Doc.</summary>
        public static class Helper
        {
            /// <summary>Doc.</summary>
            public static int Value() => 1;
        }
        """;

    public static TheoryData<string, string, string> UnrelatedEdits => new()
    {
        { "a class added in another file", Other, Other + "\n/// <summary>Doc.</summary>\npublic static class Added { }\n" },
        { "a method body changed in another file", Other, Other.Replace("=> 1;", "=> 2;", StringComparison.Ordinal) },
    };

    [Theory]
    [MemberData(nameof(UnrelatedEdits))]
    public void An_unrelated_edit_leaves_every_step_cached(string edit, string before, string after)
    {
        var steps = RunTwice([Collection, before], [Collection, after]);
        foreach (var name in TrackingNames.All)
        {
            Assert.True(steps.ContainsKey(name), $"step {name} did not run");
            Assert.All(steps[name], reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{edit}: step {name} was {reason}"));
        }
    }

    [Fact]
    public void A_method_body_changed_in_the_same_file_leaves_the_models_unchanged()
    {
        var steps = RunTwice([Collection], [Collection.Replace("Compute() => 1", "Compute() => 2", StringComparison.Ordinal)]);
        foreach (var name in new[] { TrackingNames.CollectionModel, TrackingNames.CollectionEmit, TrackingNames.EmbeddedModel, TrackingNames.EmbeddedEmit })
        {
            Assert.All(steps[name], reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"step {name} was {reason}"));
        }
    }

    public static TheoryData<string, string, string> CollectionEdits => new()
    {
        { "a member added", "public int Compute() => 1;", "public int Compute() => 1;\n/// <summary>Doc.</summary>\npublic int Age { get; set; }" },
        { "an attribute argument changed", "[Persistence.Index]", "[Persistence.Index(Unique = true)]" },
        { "the collection renamed", "Collection(\"people\")", "Collection(\"persons\")" },
    };

    [Theory]
    [MemberData(nameof(CollectionEdits))]
    public void A_model_edit_regenerates_the_collection_only(string edit, string find, string replace)
    {
        var steps = RunTwice([Collection], [Collection.Replace(find, replace, StringComparison.Ordinal)]);
        foreach (var name in new[] { TrackingNames.CollectionParse, TrackingNames.CollectionModel, TrackingNames.CollectionEmit })
        {
            Assert.True(steps[name].Contains(IncrementalStepRunReason.Modified), $"{edit}: step {name} was {string.Join(", ", steps[name])}");
        }

        Assert.All(steps[TrackingNames.EmbeddedEmit], reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{edit}: embedded step was {reason}"));
    }

    [Fact]
    public void An_embedded_edit_regenerates_the_embedded_serializer()
    {
        var steps = RunTwice([Collection], [Collection.Replace("public string City", "public string? City", StringComparison.Ordinal)]);
        Assert.Contains(IncrementalStepRunReason.Modified, steps[TrackingNames.EmbeddedModel]);
        Assert.Contains(IncrementalStepRunReason.Modified, steps[TrackingNames.EmbeddedEmit]);
    }

    [Fact]
    public void A_type_that_gains_an_error_stops_being_emitted_and_comes_back_when_fixed()
    {
        var broken = Collection.Replace("public partial class Person", "public class Person", StringComparison.Ordinal);
        var compilation = GeneratorHarness.Compile(Collection);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        Assert.Equal(3, driver.GetRunResult().GeneratedTrees.Length); // collection, embedded serializer, AddPersistenceCollections
        driver = driver.RunGenerators(Replace(compilation, broken));
        Assert.Single(driver.GetRunResult().GeneratedTrees); // no collection left: no registration either
        driver = driver.RunGenerators(Replace(compilation, Collection));
        Assert.Equal(3, driver.GetRunResult().GeneratedTrees.Length);
    }

    /// <summary>The edits of <see cref="CollectionEdits"/> that keep what the registration says of the collection.</summary>
    public static TheoryData<string, string, string> RegistrationNeutralEdits => new()
    {
        { "a member added", "public int Compute() => 1;", "public int Compute() => 1;\n/// <summary>Doc.</summary>\npublic int Age { get; set; }" },
        { "an attribute argument changed", "[Persistence.Index]", "[Persistence.Index(Unique = true)]" },
    };

    /// <summary>The edits that change what the registration hands the runtime: the collection's name, or its [ExpiresAt] member.</summary>
    public static TheoryData<string, string, string> RegistrationEdits => new()
    {
        { "the collection renamed", "Collection(\"people\")", "Collection(\"persons\")" },
        { "an [ExpiresAt] member added", "public int Compute() => 1;", "public int Compute() => 1;\n/// <summary>Doc.</summary>\n[Persistence.ExpiresAt]\npublic System.DateTimeOffset? Expires { get; set; }" },
    };

    [Theory]
    [MemberData(nameof(RegistrationNeutralEdits))]
    public void A_model_edit_that_keeps_the_types_leaves_the_registration_unchanged(string edit, string find, string replace)
    {
        var steps = RunTwice([Collection], [Collection.Replace(find, replace, StringComparison.Ordinal)]);
        foreach (var name in new[] { TrackingNames.ServiceRegistration, TrackingNames.ServiceRegistrations, TrackingNames.ServiceCollectionEmit })
        {
            Assert.All(steps[name], reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{edit}: step {name} was {reason}"));
        }
    }

    [Theory]
    [MemberData(nameof(RegistrationEdits))]
    public void A_model_edit_that_changes_the_name_or_the_expiry_member_regenerates_the_registration(string edit, string find, string replace)
    {
        var steps = RunTwice([Collection], [Collection.Replace(find, replace, StringComparison.Ordinal)]);
        foreach (var name in new[] { TrackingNames.ServiceRegistration, TrackingNames.ServiceRegistrations, TrackingNames.ServiceCollectionEmit })
        {
            Assert.True(steps[name].Contains(IncrementalStepRunReason.Modified), $"{edit}: step {name} was {string.Join(", ", steps[name])}");
        }
    }

    [Fact]
    public void A_collection_added_in_another_file_regenerates_the_registration()
    {
        const string added = """
            namespace App;

            /// <summary>Doc.</summary>
            [Persistence.Collection("tasks")]
            public partial class TaskItem
            {
                /// <summary>Doc.</summary>
                [Persistence.PrimaryKey]
                public long Id { get; init; }
            }
            """;
        var steps = RunTwice([Collection, Other], [Collection, added]);
        Assert.Contains(IncrementalStepRunReason.Modified, steps[TrackingNames.ServiceRegistrations]);
        Assert.Contains(IncrementalStepRunReason.Modified, steps[TrackingNames.ServiceCollectionEmit]);
        Assert.All(steps[TrackingNames.DependencyInjection], reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"step DependencyInjection was {reason}"));
    }

    /// <summary>Runs the generator on <paramref name="first"/>, then on the edited sources; returns each step's output reasons in the second run.</summary>
    private static Dictionary<string, List<IncrementalStepRunReason>> RunTwice(string[] first, string[] second)
    {
        var compilation = GeneratorHarness.Compile(first);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var edited = compilation;
        for (var i = 0; i < first.Length; i++)
        {
            if (first[i] != second[i])
            {
                var old = compilation.SyntaxTrees.Single(t => t.FilePath == $"Input{i}.cs");
                edited = edited.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(second[i], GeneratorHarness.ParseOptions, path: old.FilePath));
            }
        }

        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();
        return result.TrackedSteps
            .Where(s => TrackingNames.All.Contains(s.Key))
            .ToDictionary(s => s.Key, s => s.Value.SelectMany(step => step.Outputs).Select(o => o.Reason).ToList());
    }

    private static Compilation Replace(Compilation compilation, string source)
    {
        var old = compilation.SyntaxTrees.Single(t => t.FilePath == "Input0.cs");
        return compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(source, GeneratorHarness.ParseOptions, path: old.FilePath));
    }
}
