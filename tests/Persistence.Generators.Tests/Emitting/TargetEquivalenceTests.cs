using Microsoft.CodeAnalysis;
using Persistence.Generators.Tests.Infrastructure;

namespace Persistence.Generators.Tests.Emitting;

/// <summary>
/// For the User, the generated public API is the hand-written target's (tests/Persistence.Runtime.Tests/
/// Collections/UserGenerated.g.cs): the same types with the same public members, signatures and defaults.
/// </summary>
public sealed class TargetEquivalenceTests
{
    private static readonly string s_target = Path.Combine(GoldenFiles.Directory, "..", "..", "Persistence.Runtime.Tests", "Collections");

    private static readonly SymbolDisplayFormat s_format = SymbolDisplayFormat.MinimallyQualifiedFormat
        .WithMemberOptions(SymbolDisplayMemberOptions.IncludeParameters | SymbolDisplayMemberOptions.IncludeType | SymbolDisplayMemberOptions.IncludeModifiers | SymbolDisplayMemberOptions.IncludeAccessibility)
        .WithParameterOptions(SymbolDisplayParameterOptions.IncludeType | SymbolDisplayParameterOptions.IncludeName | SymbolDisplayParameterOptions.IncludeDefaultValue | SymbolDisplayParameterOptions.IncludeParamsRefOut)
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    [Theory]
    [InlineData("UserCollection")]
    [InlineData("UserCollection+ByEmailIndex")]
    [InlineData("UserCollection+ByAgeIndex")]
    [InlineData("UserFields")]
    public void The_public_api_matches_the_hand_written_target(string type)
    {
        var target = GeneratorHarness.Compile(File.ReadAllText(Path.Combine(s_target, "User.cs")), File.ReadAllText(Path.Combine(s_target, "UserGenerated.g.cs")));
        var (_, generated) = GeneratorHarness.Generate(GoldenFiles.ReadInput("User"));
        Assert.Equal(PublicApi(target, "Persistence.Tests.Collections." + type), PublicApi(generated, "Persistence.Generators.Tests.Golden.Users." + type));
    }

    private static List<string> PublicApi(Compilation compilation, string metadataName)
    {
        var type = compilation.GetTypeByMetadataName(metadataName);
        Assert.NotNull(type);
        return [.. type.GetMembers()
            .Where(m => m.DeclaredAccessibility == Accessibility.Public && !m.IsImplicitlyDeclared && m is not IMethodSymbol { AssociatedSymbol: not null })
            .Select(m => m.ToDisplayString(s_format))
            .Order(StringComparer.Ordinal)];
    }
}
