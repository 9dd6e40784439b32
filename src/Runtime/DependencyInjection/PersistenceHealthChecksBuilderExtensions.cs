using Microsoft.Extensions.Diagnostics.HealthChecks;
using Persistence.DependencyInjection;

#pragma warning disable IDE0130 // By convention, service registration extensions live in the namespace of IServiceCollection.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>
/// Adds the Persistence health check: <c>services.AddHealthChecks().AddPersistence()</c> for the default database,
/// <c>AddKeyedPersistence(key)</c> for a keyed one.
/// </summary>
public static class PersistenceHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a health check of the application's <see cref="Persistence.Database"/> (registered by
    /// <c>AddPersistence</c>): Unhealthy (or <paramref name="failureStatus"/>) when it is read-only after a failure or
    /// detected corruption, or its last consistency check failed; Degraded when the log since the last checkpoint,
    /// the oldest snapshot's age or the bytes it pins pass the thresholds of
    /// <see cref="PersistenceOptions.HealthCheck"/> (section <c>Persistence:HealthCheck</c>); Healthy otherwise. The
    /// result's data holds the database statistics.
    /// </summary>
    /// <param name="name">The check's name. Default <c>persistence</c>.</param>
    /// <param name="failureStatus">The status reported when the database is unhealthy. Default <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags to filter checks by (for example "ready").</param>
    /// <param name="timeout">How long the check may take. Default: no timeout (it reads counters and returns at once).</param>
    public static IHealthChecksBuilder AddPersistence(
        this IHealthChecksBuilder builder,
        string name = "persistence",
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null,
        TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return builder.Add(new HealthCheckRegistration(name, static services => new PersistenceHealthCheck(services, DatabaseRegistration.Default), failureStatus, tags, timeout));
    }

    /// <summary>
    /// Adds a health check of the keyed <see cref="Persistence.Database"/> registered by
    /// <c>AddKeyedPersistence(serviceKey)</c>, with the same statuses as <see cref="AddPersistence"/> and the
    /// thresholds of that database's options (section <c>Persistence:Databases:{serviceKey}:HealthCheck</c>). A key
    /// with no database registered under it reports the failure status.
    /// </summary>
    /// <param name="serviceKey">The database's service key.</param>
    /// <param name="name">The check's name. Default <c>persistence-{serviceKey}</c>.</param>
    /// <param name="failureStatus">The status reported when the database is unhealthy. Default <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags to filter checks by (for example "ready").</param>
    /// <param name="timeout">How long the check may take. Default: no timeout (it reads counters and returns at once).</param>
    public static IHealthChecksBuilder AddKeyedPersistence(
        this IHealthChecksBuilder builder,
        string serviceKey,
        string? name = null,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null,
        TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceKey);
        ArgumentException.ThrowIfNullOrEmpty(name ??= "persistence-" + serviceKey);
        var database = DatabaseRegistration.Conventional(serviceKey);
        return builder.Add(new HealthCheckRegistration(name, services => new PersistenceHealthCheck(services, database), failureStatus, tags, timeout));
    }
}
