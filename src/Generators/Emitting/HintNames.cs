using System.Linq;
using Persistence.Generators.Parsing.Model;

namespace Persistence.Generators.Emitting;

/// <summary>The file names of generated sources: the type's full name, then what was generated ("N.Outer.User.Collection.g.cs").</summary>
internal static class HintNames
{
    public static string For(TypeModel model, string part)
    {
        var parts = new[] { model.Namespace }.Concat(model.ContainingTypes.Select(t => t.Name)).Append(model.Name).Where(p => p.Length > 0);
        return string.Join(".", parts) + "." + part + ".g.cs";
    }
}
