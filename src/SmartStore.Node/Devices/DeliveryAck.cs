using SmartStore.Messaging.Transport;

namespace SmartStore.Node.Devices;

/// <summary>
/// The promise behind one inbound message: completed by whichever actor made its effect durable (or decided it
/// needs none), faulted when the journal failed, so the transport acknowledges only what is safe.
/// </summary>
public sealed class DeliveryAck
{
    private readonly TaskCompletionSource<Delivery> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<Delivery> Task => _completion.Task;

    public void Complete(Delivery delivery) => _completion.TrySetResult(delivery);

    public void Fail(Exception error) => _completion.TrySetException(error);
}
