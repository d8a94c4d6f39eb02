using SmartStore.Actors;

namespace SmartStore.Actors.Tests;

/// <summary>Small actors shared by the kernel tests.</summary>
internal sealed record Msg(string Text);

/// <summary>Forwards every message to a probe.</summary>
internal sealed class Forwarder<T>(ActorRef<T> target) : Actor<T>
{
    protected override ValueTask ReceiveAsync(T message)
    {
        target.Tell(message);
        return default;
    }
}

/// <summary>Counts messages; "fail" throws, "count?" reports the count, "boom-start" fails its start.</summary>
internal sealed class Counter(ActorRef<string> report, string name = "counter") : Actor<string>
{
    private int _count;

    protected override ValueTask PreStartAsync()
    {
        report.Tell($"{name}:started");
        return default;
    }

    protected override ValueTask PostStopAsync()
    {
        report.Tell($"{name}:stopped");
        return default;
    }

    protected override ValueTask PreRestartAsync(Exception cause)
    {
        report.Tell($"{name}:restarting:{cause.Message}");
        return default;
    }

    protected override ValueTask ReceiveAsync(string message)
    {
        switch (message)
        {
            case "fail":
                throw new InvalidOperationException("asked to fail");
            case "count?":
                report.Tell($"{name}:count={_count}");
                break;
            default:
                _count++;
                break;
        }

        return default;
    }
}
