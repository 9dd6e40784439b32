using System.Reflection;
using Microsoft.CodeAnalysis;
using Persistence.Generators.Parsing;
using Persistence.Generators.Parsing.Model;

namespace Persistence.Generators.Tests.Parsing;

/// <summary>
/// The pipeline's models hold only equatable data: walking every field of every model type (and of the types those
/// fields hold, generic arguments included) finds no symbol, syntax node, location, compilation or semantic model,
/// which would keep old compilations alive and defeat caching.
/// </summary>
public sealed class ModelShapeTests
{
    private static readonly Type[] s_forbidden = [typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(Location), typeof(Compilation), typeof(SemanticModel), typeof(AttributeData), typeof(SyntaxReference)];

    [Theory]
    [InlineData(typeof(ParseResult))]
    [InlineData(typeof(TypeModel))]
    public void Models_hold_no_Roslyn_objects(Type root)
    {
        var seen = new HashSet<Type>();
        var pending = new Stack<(Type Type, string Path)>([(root, root.Name)]);
        while (pending.Count > 0)
        {
            var (type, path) = pending.Pop();
            if (!seen.Add(type) || type.IsPrimitive || type.IsEnum || type == typeof(string))
            {
                continue;
            }

            Assert.False(s_forbidden.Any(f => f.IsAssignableFrom(type)), $"{path} is a {type.Name}");
            foreach (var argument in type.IsGenericType ? type.GetGenericArguments() : [])
            {
                pending.Push((argument, $"{path}<{argument.Name}>"));
            }

            if (type.IsArray)
            {
                pending.Push((type.GetElementType()!, path + "[]"));
            }

            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            {
                pending.Push((field.FieldType, $"{path}.{field.Name}"));
            }
        }

        Assert.Contains(typeof(ValueShape), seen);
    }

    [Fact]
    public void Equal_inputs_give_equal_models()
    {
        var input = Infrastructure.GoldenFiles.ReadInput("AllTypes");
        var first = Parse(input);
        var second = Parse(input);
        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
        Assert.NotSame(first.Model, second.Model);
    }

    private static ParseResult Parse(string input)
    {
        var compilation = Infrastructure.GeneratorHarness.Compile(input);
        var type = compilation.GetTypeByMetadataName("Persistence.Generators.Tests.Golden.AllTypes.Sample")!;
        return TypeParser.Parse(type, DocumentKind.Collection, CancellationToken.None);
    }
}
