using Xunit;

namespace SmartStore.Actors.TestKit;

/// <summary>
/// Base class for actor tests: xunit creates one instance per test, so every test gets its own system on
/// virtual time (<see cref="Time"/>), torn down with a coordinated shutdown when the test ends.
/// </summary>
public abstract class ActorTestKit : IAsyncLifetime
{
    private int _probes;

    protected ActorTestKit(ActorSystemOptions? options = null)
    {
        Time = new ManualTimeProvider();
        System = ActorSystem.Create("test", (options ?? new ActorSystemOptions()) with { Time = Time, ShutdownDrainTimeout = TimeSpan.FromSeconds(2) });
    }

    protected ActorSystem System { get; }

    protected ManualTimeProvider Time { get; }

    /// <summary>How long probes wait by default (real time: the work they wait for runs on real threads).</summary>
    protected virtual TimeSpan DefaultTimeout => TimeSpan.FromSeconds(5);

    protected TestProbe<T> CreateProbe<T>(string? name = null) =>
        new(System, name ?? $"probe-{Interlocked.Increment(ref _probes)}", DefaultTimeout);

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync() => await System.ShutdownAsync();
}
