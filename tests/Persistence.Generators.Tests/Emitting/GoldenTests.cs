using Persistence.Generators.Tests.Infrastructure;

namespace Persistence.Generators.Tests.Emitting;

/// <summary>
/// The generator's output for each input under Golden/ matches the checked-in golden files exactly, and compiles
/// with the input without a single warning (nullable enabled, all warning waves, XML documentation diagnosed).
/// </summary>
public sealed class GoldenTests
{
    public static TheoryData<string> Cases => new() { "User", "Orders", "Profiles", "Nested", "GlobalNote", "AllTypes", "Embedded", "Tagged", "Bookings", "Rates" };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Output_matches_the_golden_files(string name)
    {
        var (run, _) = GeneratorHarness.Generate(GoldenFiles.ReadInput(name));
        var sources = run.Results.Single().GeneratedSources;
        Assert.NotEmpty(sources);
        foreach (var source in sources)
        {
            GoldenFiles.Verify($"{name}.{source.HintName}", source.SourceText.ToString());
        }

        var expected = Directory.GetFiles(GoldenFiles.Directory, $"{name}.*.g.cs").Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(expected, sources.Select(s => $"{name}.{s.HintName}").Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Output_compiles_without_warnings(string name)
    {
        var (_, output) = GeneratorHarness.Generate(GoldenFiles.ReadInput(name));
        Assert.Empty(GeneratorHarness.Problems(output).Select(d => d.ToString()));
    }

    [Fact]
    public void Output_is_the_same_on_every_run()
    {
        var input = GoldenFiles.ReadInput("AllTypes");
        var first = GeneratorHarness.Generate(input).Run.Results.Single().GeneratedSources.Select(s => s.SourceText.ToString());
        var second = GeneratorHarness.Generate(input).Run.Results.Single().GeneratedSources.Select(s => s.SourceText.ToString());
        Assert.Equal(first, second);
    }
}
