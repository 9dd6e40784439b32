using Worker;

// A worker on the generic host (WorkerApplication builds it). The database is configured by the "Persistence" section
// of appsettings.json, opened (and recovered) when the host starts, and checkpointed and closed after the workers stop:
// on Ctrl+C, or here when OrderProcessor has placed its orders and watched its checkout sessions expire. Run it twice:
// the second run continues after the first.
using var host = WorkerApplication.Build(args);
await host.RunAsync();
