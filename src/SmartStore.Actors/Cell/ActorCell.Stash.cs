namespace SmartStore.Actors;

/// <summary>Stash: messages set aside by the actor and put back at the front of its mailbox.</summary>
internal sealed partial class ActorCell<T>
{
    private List<Envelope<T>>? _stash;

    public int StashCount => _stash?.Count ?? 0;

    public void Stash()
    {
        if (_inbox.Current.Meta is PoisonPill or TerminatedSignal)
        {
            throw new InvalidOperationException("Only messages can be stashed, not kernel signals.");
        }

        _stash ??= [];
        if (_stash.Count >= _props.StashCapacity)
        {
            throw new StashOverflowException(Path, _props.StashCapacity);
        }

        _stash.Add(_inbox.Current);
    }

    public void UnstashAll()
    {
        if (_stash is not { Count: > 0 })
        {
            return;
        }

        _mailbox.PushFront(_stash);
        _stash.Clear();
    }

    private void DropStash()
    {
        if (_stash is not null)
        {
            DropUndelivered([.. _stash], "actor stopped with the message stashed");
            _stash = null;
        }
    }
}
