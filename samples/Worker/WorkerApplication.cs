using Worker.Orders;

namespace Worker;

/// <summary>Builds the worker's host; Program runs it, and the tests run it against a database of their own.</summary>
public static class WorkerApplication
{
    /// <param name="args">Command-line arguments, which override appsettings.json (for example <c>--Persistence:Path=...</c>).</param>
    /// <param name="configure">Changes to the builder before the host is built (tests use it for logging).</param>
    public static IHost Build(string[] args, Action<HostApplicationBuilder>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory, // appsettings.json, and the relative database path, beside the program
        });

        // The Database singleton, from the "Persistence" section, including the collector's settings (Persistence:Ttl)
        // and each collection's lifetime (Persistence:Collections:{name}). Under a host the expired-document collector
        // runs as a hosted service beside the database: it starts and stops with the application.
        builder.Services.AddPersistence();
        builder.Services.AddPersistenceCollections(); // generated: OrderCollection and CheckoutSessionCollection, each also as IRepository<T, TKey>
        builder.Services.AddHealthChecks().AddPersistence();
        builder.Services.Configure<WorkerOptions>(builder.Configuration.GetSection(WorkerOptions.SectionName));
        builder.Services.AddSingleton(TimeProvider.System); // the clock of the database (expiry included) and of the worker
        builder.Services.AddHostedService<OrderProcessor>();
        configure?.Invoke(builder);
        return builder.Build();
    }
}
