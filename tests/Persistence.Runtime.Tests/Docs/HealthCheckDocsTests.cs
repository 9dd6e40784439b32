using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Persistence.Tests.Docs;

/// <summary>
/// The README's keyed-services example: <c>AddHealthChecks().AddPersistence().AddKeyedPersistence("cache")</c> adds the
/// checks "persistence" and "persistence-cache", each reporting Unhealthy (the registration's failure status) unless
/// told otherwise. Dashboards and probes filter on these names, so they are pinned.
/// </summary>
public sealed class HealthCheckDocsTests
{
    [Fact]
    public void The_default_and_keyed_checks_are_named_as_the_readme_says_and_fail_as_unhealthy()
    {
        var services = new ServiceCollection();
        services.AddHealthChecks().AddPersistence().AddKeyedPersistence("cache");
        using var provider = services.BuildServiceProvider();
        var registrations = provider.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations;
        Assert.Equal(["persistence", "persistence-cache"], registrations.Select(registration => registration.Name));
        Assert.All(registrations, registration => Assert.Equal(HealthStatus.Unhealthy, registration.FailureStatus));
    }
}
