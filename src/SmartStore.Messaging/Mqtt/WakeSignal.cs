using System.ComponentModel;
using System.Runtime.InteropServices;

namespace SmartStore.Messaging.Mqtt;

/// <summary>
/// Wakes the network thread from <c>poll</c> when another thread gave it work (a publish to write, handled
/// messages whose acknowledgements may go out, a stop). An <c>eventfd</c> the loop polls beside the socket; a
/// flag spares the system call when a wake-up is already on its way.
/// </summary>
internal sealed unsafe class WakeSignal : IDisposable
{
    private int _pending;

    public WakeSignal()
    {
        Fd = LibC.EventFd(0, LibC.EventFdNonBlocking | LibC.EventFdCloseOnExec);
        if (Fd < 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "eventfd for the MQTT network thread");
        }
    }

    public int Fd { get; private set; }

    public void Signal()
    {
        if (Interlocked.Exchange(ref _pending, 1) == 0)
        {
            ulong one = 1;
            _ = LibC.Write(Fd, &one, sizeof(ulong));
        }
    }

    /// <summary>
    /// Called by the loop before it looks for work: a signal after this wakes the next poll. A full fence, so the
    /// loop's next reads of the work state cannot move before it (a lost wake-up otherwise).
    /// </summary>
    public void Arm() => Interlocked.Exchange(ref _pending, 0);

    public void Drain()
    {
        ulong count;
        _ = LibC.Read(Fd, &count, sizeof(ulong));
    }

    public void Dispose()
    {
        if (Fd >= 0)
        {
            _ = LibC.Close(Fd);
            Fd = -1;
        }
    }
}
