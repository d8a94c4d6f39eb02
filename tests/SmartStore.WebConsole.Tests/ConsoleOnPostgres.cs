using Marten;
using SmartStore.Domain.Carts;
using SmartStore.Domain.Visits;
using SmartStore.ReadModels;
using SmartStore.Testing;
using Xunit;

namespace SmartStore.WebConsole.Tests;

/// <summary>A console with no store behind it on a fresh PostgreSQL database of the class's server, and a way to put a receipt in its read model.</summary>
public abstract class ConsoleOnPostgres(PostgresFixture postgres) : IAsyncLifetime
{
    protected DocumentStore Store { get; private set; } = null!;

    protected ConsoleServer Console { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Store = ReadModelStore.Open(await postgres.Server.CreateDatabaseAsync("console"));
        Console = await ConsoleServer.StartAsync(new ConsoleOptions(), Store);
    }

    public async Task DisposeAsync()
    {
        await Console.DisposeAsync();
        Store.Dispose();
    }

    /// <summary>Alice's paid visit (two colas, 2.98 EUR), written as the read model's feed would write it.</summary>
    protected async Task StorePaidVisitAsync()
    {
        var at = new DateTimeOffset(2026, 12, 1, 9, 30, 0, TimeSpan.Zero);
        var receipt = new Receipt("EUR", [new ReceiptLine("drink-001", "Cola 330 ml", 2, 149, 298, "standard", [])], [], 298);
        var state = new IVisitEvent[]
        {
            new VisitOpened("v-1", "corner-01", "s-alice", 1, "gate-in", 0, null, 0, at),
            new VisitSettled(receipt, 60_000, at),
            new ReceiptIssued("paid", 298, "psp-1", at),
        }.Aggregate(VisitState.None("v-1"), VisitRules.Evolve);
        await using var session = Store.LightweightSession();
        session.Store(new VisitDocument("v-1", state, 1));
        await session.SaveChangesAsync();
    }
}
