using System.Diagnostics;
using System.IO.Compression;
using System.Runtime.CompilerServices;

namespace Persistence.Analyzers.Tests.Packaging;

/// <summary>
/// The Persistence.Runtime package as a user gets it: packed from the already built projects into a temporary feed,
/// restored by a copy of samples/PackageConsumer into its own packages folder (never the user's global cache), built
/// (the analyzers report, the generator generates) and run. A second build adds a broken type and fails with the
/// analyzer's error.
/// </summary>
public sealed class PackageTests : IDisposable
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private static readonly string s_repository = Path.GetFullPath(Path.Combine(SourceDirectory(), "..", "..", ".."));

    private readonly string _root = Path.Combine(Path.GetTempPath(), "persistence-package-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void The_package_carries_the_generator_analyzers_and_fixes_and_they_work_from_it()
    {
        var feed = Path.Combine(_root, "feed");
        Run(s_repository, ["pack", Path.Combine(s_repository, "src", "Runtime", "Persistence.Runtime.csproj"), "-c", Configuration, "--no-build", "-o", feed]);
        var package = Assert.Single(Directory.GetFiles(feed, "Persistence.Runtime.*.nupkg"));
        using (var archive = ZipFile.OpenRead(package))
        {
            var entries = archive.Entries.Select(e => e.FullName).ToList();
            Assert.Contains("lib/net10.0/Persistence.Runtime.dll", entries);
            Assert.Contains("analyzers/dotnet/cs/Persistence.Generators.dll", entries);
            Assert.Contains("analyzers/dotnet/cs/Persistence.Analyzers.dll", entries);
            Assert.Contains("analyzers/dotnet/cs/Persistence.Analyzers.CodeFixes.dll", entries);
            Assert.Contains("README.md", entries);
        }

        var project = Path.Combine(_root, "PackageConsumer");
        Directory.CreateDirectory(project);
        foreach (var file in new[] { "PackageConsumer.csproj", "Program.cs", "Directory.Build.props", "Directory.Packages.props" })
        {
            File.Copy(Path.Combine(s_repository, "samples", "PackageConsumer", file), Path.Combine(project, file));
        }

        // Persistence.Runtime from the fresh feed only; its dependencies (Microsoft.Extensions.*) from the global
        // packages folder, where restoring this repository put them: no network, and never a stale Persistence package.
        File.WriteAllText(Path.Combine(project, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
                <add key="dependencies" value="{GlobalPackagesFolder()}" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="local">
                  <package pattern="Persistence.*" />
                </packageSource>
                <packageSource key="dependencies">
                  <package pattern="*" />
                </packageSource>
              </packageSourceMapping>
            </configuration>
            """);
        var packages = Path.Combine(_root, "packages");

        var build = Run(project, ["build", "--packages", packages, "--disable-build-servers", "-nodeReuse:false"]);
        Assert.Contains("warning PST0029", build, StringComparison.Ordinal);
        Assert.DoesNotContain("CS9057", build, StringComparison.Ordinal); // an analyzer built against a too new Roslyn
        Assert.DoesNotContain("CS8032", build, StringComparison.Ordinal); // an analyzer that cannot be loaded
        var output = Run(project, ["bin/Debug/net10.0/PackageConsumer.dll"]);
        Assert.Equal("found User 2; 2 aged 22 or more; 1 named User 3", output.Trim());

        File.WriteAllText(Path.Combine(project, "Broken.cs"), """
            [Persistence.Collection("broken")]
            public class Broken
            {
                [Persistence.PrimaryKey] public long Id { get; init; }
            }
            """);
        var broken = Run(project, ["build", "--no-restore", "--disable-build-servers", "-nodeReuse:false"], expectSuccess: false);
        Assert.Contains("Broken.cs(2,14): error PST0001", broken, StringComparison.Ordinal);
    }

    /// <summary>The NuGet global packages folder (NUGET_PACKAGES, or ~/.nuget/packages).</summary>
    private static string GlobalPackagesFolder() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } folder
            ? folder
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    /// <summary>Runs the dotnet CLI, without the variables of the test run's own MSBuild, and returns its output.</summary>
    private static string Run(string directory, string[] arguments, bool expectSuccess = true)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k == "DOTNET_HOST_PATH").ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(3)), "dotnet did not finish within 3 minutes");
        var all = output + error.Result;
        Assert.True((process.ExitCode == 0) == expectSuccess, $"dotnet {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{all}");
        return all;
    }

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
