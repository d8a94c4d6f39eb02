namespace SmartStore.Node.Hosting;

/// <summary>
/// A deadline shared by every device message in flight: a token that is cancelled between one and two
/// periods after it was handed out. An Ask with its own timeout sets up a timer per message, which measured
/// here at about a microsecond a message, a tenth of a core at the busy hour's rate; one timer per period does
/// the same job for all of them. A delivery not answered by its deadline fails, and its transport does not
/// acknowledge it.
/// </summary>
internal sealed class DeliveryDeadline : IDisposable
{
    private readonly Timer _timer;
    private readonly Lock _gate = new();
    private CancellationTokenSource _current = new();
    private CancellationTokenSource _previous = new();

    public DeliveryDeadline(TimeSpan period)
    {
        Period = period;
        _timer = new Timer(_ => Rotate(), null, period, period);
    }

    public TimeSpan Period { get; }

    /// <summary>Cancelled no sooner than one period from now, no later than two.</summary>
    public CancellationToken Token
    {
        get
        {
            lock (_gate)
            {
                return _current.Token;
            }
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        lock (_gate)
        {
            _current.Dispose();
            _previous.Dispose();
        }
    }

    private void Rotate()
    {
        CancellationTokenSource expired;
        lock (_gate)
        {
            expired = _previous;
            _previous = _current;
            _current = new CancellationTokenSource();
        }

        expired.Cancel();
        expired.Dispose();
    }
}
