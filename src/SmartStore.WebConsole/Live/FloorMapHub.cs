using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SmartStore.WebConsole.Live;

/// <summary>
/// The live map's hub: a signed-in operator of any role connects, gets the layout once and then a frame every
/// <see cref="FloorMapOptions.Interval"/>. The browser only listens; it has no method that changes anything.
/// </summary>
[Authorize(Policy = ConsolePolicies.Watch)]
public sealed class FloorMapHub(IStoreOperations store) : Hub
{
    /// <summary>The store's layout to draw, or null when this console has no store.</summary>
    public MapLayout? Layout() => store.Layout is { } layout ? MapLayout.Of(layout) : null;
}

public sealed record FloorMapOptions
{
    public TimeSpan Interval { get; init; } = TimeSpan.FromMilliseconds(200);
}

/// <summary>
/// Asks the floor for its view on a steady beat and sends every watching browser the frame built from it. One
/// loop for every browser, so a hundred open maps cost the floor no more than one. A failed ask is logged and the
/// beat goes on: the map freezes, the console does not fall over.
/// </summary>
public sealed class FloorMapFeed(IStoreOperations store, IHubContext<FloorMapHub> hub, FloorMapOptions options, TimeProvider clock, ILoggerFactory? loggers = null) : BackgroundService
{
    private readonly ILogger _log = (loggers ?? NullLoggerFactory.Instance).CreateLogger<FloorMapFeed>();
    private readonly MapFrameBuilder _frames = new();
    private long _sent;

    /// <summary>Frames sent so far.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (store.Layout is null)
        {
            return;
        }

        using var beat = new PeriodicTimer(options.Interval, clock);
        while (await beat.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                if (await store.FloorAsync(stoppingToken) is not { } floor)
                {
                    continue;
                }

                var frame = _frames.Next(floor);
                await hub.Clients.All.SendAsync("frame", frame, stoppingToken);
                Interlocked.Increment(ref _sent);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _log.LogWarning(e, "the live map skipped a frame");
            }
        }
    }
}
