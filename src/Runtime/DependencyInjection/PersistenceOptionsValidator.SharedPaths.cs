using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Persistence.DependencyInjection;

/// <summary>No two databases of one container share a file.</summary>
internal sealed partial class PersistenceOptionsValidator
{
    /// <summary>
    /// Refuses <paramref name="database"/> when its file is the file of a database registered before it. Only the
    /// later of two is refused, so that a host start reports the conflict once, naming both databases; the earlier
    /// one stays valid (without a host it opens, and the later one's first resolve fails).
    /// </summary>
    /// <remarks>
    /// The other databases' options are built here without validation, from the same configuration steps: asking the
    /// options monitor for them would validate them too, which would compare their paths with this one, whose options
    /// are being created, and recurse. One whose path is not valid is skipped: its own validation reports it.
    /// </remarks>
    private static void ValidateOwnPath(IServiceProvider services, DatabaseRegistry registry, DatabaseRegistration database, PersistenceOptions options, List<string> failures)
    {
        var earlier = registry.Databases.TakeWhile(d => d.Name != database.Name).ToList();
        if (earlier.Count == 0 || earlier.Count == registry.Databases.Count)
        {
            return; // the first database, or one the container does not know: nothing to compare with
        }

        var environment = services.GetService<IHostEnvironment>();
        var path = DatabaseActivator.ResolvePath(options.Path, environment);
        var factory = new OptionsFactory<PersistenceOptions>(
            services.GetServices<IConfigureOptions<PersistenceOptions>>(),
            services.GetServices<IPostConfigureOptions<PersistenceOptions>>());
        foreach (var other in earlier)
        {
            var otherPath = factory.Create(other.Name).Path;
            if (string.IsNullOrWhiteSpace(otherPath) || otherPath.AsSpan().IndexOfAny(System.IO.Path.GetInvalidPathChars()) >= 0)
            {
                continue;
            }

            if (string.Equals(path, DatabaseActivator.ResolvePath(otherPath, environment), Persistence.Storage.FileNames.Comparison))
            {
                failures.Add($"{database.Section}:Path resolves to {path}, the file of {other.Description} ({other.Section}:Path) too: two databases cannot share a file, whose lock only one can hold. Give {database.Description} and {other.Description} paths of their own.");
            }
        }
    }
}
