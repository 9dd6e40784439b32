namespace Persistence.Generators;

/// <summary>The names of the generator's pipeline steps, for <c>WithTrackingName</c> and the caching tests.</summary>
internal static class TrackingNames
{
    /// <summary>[Collection] types parsed into models and problems.</summary>
    public const string CollectionParse = nameof(CollectionParse);

    /// <summary>The emittable collection models (problems dropped; null for types with errors).</summary>
    public const string CollectionModel = nameof(CollectionModel);

    /// <summary>The collection models the generator emits code for.</summary>
    public const string CollectionEmit = nameof(CollectionEmit);

    /// <summary>[Embedded] types parsed into models and problems.</summary>
    public const string EmbeddedParse = nameof(EmbeddedParse);

    /// <summary>The emittable embedded models.</summary>
    public const string EmbeddedModel = nameof(EmbeddedModel);

    /// <summary>The embedded models the generator emits serializers for.</summary>
    public const string EmbeddedEmit = nameof(EmbeddedEmit);

    /// <summary>Each emitted collection's dependency-injection registration (null when not visible to the assembly).</summary>
    public const string ServiceRegistration = nameof(ServiceRegistration);

    /// <summary>The assembly's registrations, collected and sorted.</summary>
    public const string ServiceRegistrations = nameof(ServiceRegistrations);

    /// <summary>Whether the compilation references Microsoft.Extensions.DependencyInjection.Abstractions.</summary>
    public const string DependencyInjection = nameof(DependencyInjection);

    /// <summary>The compilation's assembly name, which names the public registration of an assembly with public collections.</summary>
    public const string AssemblyName = nameof(AssemblyName);

    /// <summary>The registrations with that flag and the assembly name: what AddPersistenceCollections() is emitted from.</summary>
    public const string ServiceCollectionEmit = nameof(ServiceCollectionEmit);

    /// <summary>Every step, for tests that check them all.</summary>
    public static readonly string[] All =
    [
        CollectionParse, CollectionModel, CollectionEmit, EmbeddedParse, EmbeddedModel, EmbeddedEmit,
        ServiceRegistration, ServiceRegistrations, DependencyInjection, AssemblyName, ServiceCollectionEmit,
    ];
}
