using System.ComponentModel;
using System.Reflection;
using Persistence.Collections;
using Persistence.Serialization;

namespace Persistence.Tests;

/// <summary>
/// The types that are public only because generated code in user assemblies calls them carry
/// <c>[EditorBrowsable(Never)]</c>, so that they stay out of IntelliSense; every other public type, the ones applications
/// use, does not.
/// </summary>
public sealed class PublicSurfaceTests
{
    private static readonly Type[] GeneratorPlumbing =
    [
        typeof(DocumentSchema<,>), typeof(IndexSchema<>), typeof(KeyPartWriter<>),
        typeof(KeyReader), typeof(KeyWriter), typeof(MessagePackReader), typeof(MessagePackWriter),
        typeof(MessagePackType), typeof(ExtensionHeader),
    ];

    [Fact]
    public void Generator_plumbing_is_hidden_from_completion_and_nothing_else_is()
    {
        var hidden = typeof(Database).Assembly.GetExportedTypes().Where(Hidden).OrderBy(t => t.FullName, StringComparer.Ordinal);
        Assert.Equal(GeneratorPlumbing.OrderBy(t => t.FullName, StringComparer.Ordinal), hidden);
    }

    [Fact]
    public void The_helpers_generated_accessors_call_are_hidden_and_the_members_applications_call_are_not()
    {
        const BindingFlags members = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        var accessor = typeof(IndexAccessor<,>).GetMembers(members).Where(m => m is MethodInfo { IsFamily: true } or MethodInfo { IsPublic: true } or PropertyInfo);
        Assert.Equal(
            ["CountRange", "Encode", "GetUnique", "Scan"],
            accessor.Where(Hidden).Select(m => m.Name).Order(StringComparer.Ordinal));
        Assert.True(Hidden(typeof(Collection<,>).GetProperty("Schema", members)!));
        Assert.False(Hidden(typeof(Collection<,>).GetProperty(nameof(Collection<object, int>.Name))!));
        Assert.False(Hidden(typeof(IndexAccessor<,>).GetProperty(nameof(IndexAccessor<object, int>.Name))!));
    }

    private static bool Hidden(MemberInfo member) =>
        member.GetCustomAttribute<EditorBrowsableAttribute>() is { State: EditorBrowsableState.Never };
}
