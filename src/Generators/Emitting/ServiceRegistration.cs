using System.Linq;
using Persistence.Generators.Parsing.Model;

namespace Persistence.Generators.Emitting;

/// <summary>
/// What <c>AddPersistenceCollections()</c> needs of one collection: its generated collection type, document type and
/// key type, <c>global::</c>-qualified, and whether other assemblies can name it (<paramref name="IsPublic"/>: the type
/// and every type it is nested in are public), which makes the assembly's registration public too. Deliberately
/// narrower than the <see cref="TypeModel"/>: an edit to members or indexes leaves it equal, so the registration file is
/// not regenerated.
/// </summary>
internal sealed record ServiceRegistration(string CollectionType, string DocumentType, string KeyType, bool IsPublic)
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
        return new ServiceRegistration(prefix + model.Name + "Collection", model.FullName, model.Collection.Key.TypeName, isPublic);
    }

    private static bool VisibleInAssembly(string accessibility) => accessibility is "public" or "internal" or "protected internal";
}
