using System.Linq;
using Persistence.Generators.Parsing.Model;

namespace Persistence.Generators.Emitting;

/// <summary>
/// The file names of generated sources: the type's full name, then what was generated ("N.Outer.User.Collection.g.cs").
/// The namespace is written without the '@' of its keyword segments (<c>@class.Data</c> gives "class.Data..."): a hint
/// name may not contain '@', and AddSource throwing would drop all of the generator's output.
/// </summary>
internal static class HintNames
{
    public static string For(TypeModel model, string part)
    {
        var parts = new[] { model.Namespace.Replace("@", "") }.Concat(model.ContainingTypes.Select(t => t.Name)).Append(model.Name).Where(p => p.Length > 0);
        return string.Join(".", parts) + "." + part + ".g.cs";
    }
}
