using System.Linq;
using Persistence.Generators.Parsing.Model;

namespace Persistence.Generators.Emitting;

/// <summary>
/// What <c>AddPersistenceCollections()</c> needs of one collection: its generated collection type, document type and
/// key type, <c>global::</c>-qualified, its name and whether it has an [ExpiresAt] member (which the registration hands
/// the runtime, so that the hosted TTL collector builds at start only collections that may hold expired documents), and
/// whether other assemblies can name it (<paramref name="IsPublic"/>: the type and every type it is nested in are
/// public), which makes the assembly's registration public too. Deliberately narrower than the <see cref="TypeModel"/>:
/// an edit to other members or to indexes leaves it equal, so the registration file is not regenerated.
/// </summary>
internal sealed record ServiceRegistration(string CollectionType, string DocumentType, string KeyType, string CollectionName, bool HasExpiresAt, bool IsPublic)
{
    /// <summary>The registration of a collection, or null when its collection type is not visible to the whole assembly (nested in a private type, say).</summary>
    public static ServiceRegistration? From(TypeModel model)
    {
        if (model.Collection is null || !VisibleInAssembly(model.Accessibility) || !model.ContainingTypes.All(t => VisibleInAssembly(t.Accessibility)))
        {
            return null;
        }

        var prefix = model.FullName.Substring(0, model.FullName.Length - Names.Escape(model.Name).Length);
        var isPublic = model.Accessibility == "public" && model.ContainingTypes.All(t => t.Accessibility == "public");
        var collection = model.Collection;
        return new ServiceRegistration(prefix + model.Name + "Collection", model.FullName, collection.Key.TypeName, collection.Name, collection.ExpiresAt is not null, isPublic);
    }

    private static bool VisibleInAssembly(string accessibility) => accessibility is "public" or "internal" or "protected internal";
}
