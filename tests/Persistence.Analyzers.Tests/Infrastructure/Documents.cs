namespace Persistence.Analyzers.Tests.Infrastructure;

/// <summary>Document types that the usage tests' code works with (the generator emits their collections).</summary>
internal static class Documents
{
    /// <summary>
    /// Searchable by Id (primary key), Email and Age (indexes) and City (leads a composite index); Name and Score lead
    /// no index.
    /// </summary>
    public const string User = """
        namespace App;

        [Collection("users")]
        [Index("City", "Age")]
        public partial class User
        {
            [PrimaryKey] public long Id { get; init; }
            [Index(Unique = true)] public string Email { get; set; } = "";
            [Index] public int Age { get; set; }
            public string Name { get; set; } = "";
            public string City { get; set; } = "";
            public int Score { get; set; }
        }
        """;

    /// <summary>A class of user code around <paramref name="body"/>, with a database and the users collection in scope.</summary>
    public static string Code(string body) => $$"""
        namespace App;

        public class Code
        {
            private readonly Database db = Database.OpenInMemory();
            private readonly UserCollection users;
            private WriteTransaction? kept;

            public Code()
            {
                users = new UserCollection(db);
            }

        {{body}}
        }
        """;

    /// <summary>The markup for <see cref="AnalyzerHarness.VerifyAsync(string[], string?, Func{Microsoft.CodeAnalysis.CSharp.CSharpCompilation, Microsoft.CodeAnalysis.CSharp.CSharpCompilation}?, Microsoft.CodeAnalysis.Diagnostics.AnalyzerOptions?)"/>: the code, then the document type.</summary>
    public static string[] With(string body) => [Code(body), User];
}
