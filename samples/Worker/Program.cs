using Worker;
using Worker.Orders;

// A worker on the generic host. The database is configured by the "Persistence" section of appsettings.json,
// opened (and recovered) when the host starts, and checkpointed and closed after the workers stop: on Ctrl+C, or
// here when OrderProcessor has placed its orders. Run it twice: the second run continues after the first.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory, // appsettings.json, and the relative database path, beside the program
});

builder.Services.AddPersistence();            // the Database singleton, from the "Persistence" section
builder.Services.AddPersistenceCollections(); // generated: OrderCollection, as itself and as IRepository<Order, long>
builder.Services.AddHealthChecks().AddPersistence();
builder.Services.Configure<WorkerOptions>(builder.Configuration.GetSection("Worker"));
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddHostedService<OrderProcessor>();

// A collection of expiring documents (say, Session with an [ExpiresAt] member) is added the same way: declare the
// type beside Order, give it a "Persistence:Collections:sessions" section, and AddPersistenceCollections() picks it up.

using var host = builder.Build();
await host.RunAsync();
