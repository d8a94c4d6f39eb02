using SmartStore.Domain.Visits;
using SmartStore.Messaging.Protocol;
using SmartStore.Messaging.Transport;
using SmartStore.Node.Feeds;
using SmartStore.Testing;
using Xunit;

namespace SmartStore.Node.Tests;

/// <summary>
/// The journal goes away in the middle of the morning (PostgreSQL stopped at once, as in a crash) and comes back:
/// what could not be stored is not acknowledged, the floor starts again from the journal, and once the messages
/// come again (as a broker redelivers what was not acknowledged) every receipt is exact and charged once.
/// </summary>
#pragma warning disable CA1001 // The journals and the server are disposed in DisposeAsync (xunit's IAsyncLifetime).
public sealed class JournalOutageTests : IAsyncLifetime
#pragma warning restore CA1001
{
    private readonly Scenario _morning = DemoScenario.Build(StoreHarness.Small, StoreHarness.Start);
    private PostgresServer _postgres = null!;
    private PostgresJournals _journals = null!;

    public async Task InitializeAsync()
    {
        _postgres = await PostgresServer.StartAsync();
        _journals = new PostgresJournals(_postgres);
    }

    public async Task DisposeAsync()
    {
        await _journals.DisposeAsync();
        await _postgres.DisposeAsync();
    }

    [Fact]
    public async Task Messages_the_journal_could_not_store_are_not_acknowledged_and_once_sent_again_nothing_is_lost_or_charged_twice()
    {
        await using var store = await StoreHarness.StartAsync(_journals);
        await store.EnrolAsync(_morning.Shoppers);
        var cut = _morning.Messages.Count / 2;
        await store.SendAsync(_morning.Messages.Take(cut));

        await _postgres.KillAsync();
        var failed = 0;
        foreach (var message in _morning.Messages.Skip(cut).Take(400))
        {
            try
            {
                await store.Transport.SendAsync(DeviceMessageWriter.TopicOf(StoreHarness.Small.StoreId, message), DeviceMessageWriter.ToJson(message));
            }
            catch (Exception error) when (error is not OutOfMemoryException)
            {
                if (++failed == 3)
                {
                    break;
                }
            }
        }

        Assert.True(failed > 0, "with the journal down, messages that change the store must not be acknowledged");

        // The journal is back; the floor starts again from it (sharding restarts it) and answers once recovered.
        await _postgres.StartAgainAsync();
        using (var patience = new CancellationTokenSource(StoreHarness.Patience * 2))
        {
            while (true)
            {
                try
                {
                    await store.Node.GetFloorAsync(patience.Token);
                    break;
                }
                catch (Akka.Actor.AskTimeoutException)
                {
                    // Still recovering (the journal's circuit breaker waits before it lets calls through again).
                }
            }
        }

        var replay = await store.SendAsync(_morning.Messages.Skip(cut));
        await store.FinishAsync(_morning.EndMs, _morning.Expected.Count);

        Assert.True(replay.Duplicates > 0, "what was stored before the outage is recognised when it comes again");
        foreach (var expected in _morning.Expected)
        {
            var token = _morning.Shoppers.Single(s => s.ShopperId == expected.PayerId).PaymentToken;
            var issued = Assert.Single(store.Node.Receipts.Issued, r => r.PayerId == expected.PayerId);
            Assert.Equal(VisitPhase.Paid, (await store.Node.GetVisitAsync(issued.VisitId)).State.Phase);
            Assert.Equal(
                expected.Units.OrderBy(u => u.Key, StringComparer.Ordinal).Select(u => $"{u.Value}x{u.Key}"),
                issued.Receipt.Lines.OrderBy(l => l.Sku, StringComparer.Ordinal).Select(l => $"{l.Units}x{l.Sku}"));
            Assert.Equal(1, store.Psp.CapturesOf(token));
        }
    }
}
