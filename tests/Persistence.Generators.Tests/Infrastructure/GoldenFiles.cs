using System.Runtime.CompilerServices;

namespace Persistence.Generators.Tests.Infrastructure;

/// <summary>
/// Golden files: the generator's expected output, checked in under Golden/. A test compares the output with its file
/// and fails on any difference; with PERSISTENCE_UPDATE_GOLDEN=1 in the environment it rewrites the file instead
/// (review the diff, then commit it).
/// </summary>
internal static class GoldenFiles
{
    public const string UpdateVariable = "PERSISTENCE_UPDATE_GOLDEN";

    public static string Directory { get; } = Path.Combine(SourceDirectory(), "..", "Golden");

    public static string ReadInput(string name) => File.ReadAllText(Path.Combine(Directory, name + ".input.cs"));

    public static void Verify(string fileName, string actual)
    {
        var path = Path.Combine(Directory, fileName);
        actual = actual.Replace("\r\n", "\n", StringComparison.Ordinal);
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            File.WriteAllText(path, actual);
            return;
        }

        Assert.True(File.Exists(path), $"Golden file {fileName} is missing: run the tests with {UpdateVariable}=1 to create it.");
        var expected = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal);
        if (expected != actual)
        {
            var expectedLines = expected.Split('\n');
            var actualLines = actual.Split('\n');
            var line = Enumerable.Range(0, Math.Min(expectedLines.Length, actualLines.Length)).FirstOrDefault(i => expectedLines[i] != actualLines[i], Math.Min(expectedLines.Length, actualLines.Length));
            Assert.Fail($"""
                {fileName} differs from the generator's output at line {line + 1} (rerun with {UpdateVariable}=1 to accept the new output):
                expected: {(line < expectedLines.Length ? expectedLines[line] : "<end of file>")}
                actual:   {(line < actualLines.Length ? actualLines[line] : "<end of file>")}
                """);
        }
    }

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
