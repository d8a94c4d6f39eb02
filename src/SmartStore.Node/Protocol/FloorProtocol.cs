using SmartStore.Domain.Floor;

namespace SmartStore.Node.Protocol;

/// <summary>What a store's floor entity is asked to do.</summary>
public abstract record FloorCommand
{
    private FloorCommand()
    {
    }

    /// <summary>Persist and apply a record; answered with <see cref="Delivered"/> (the input's verdict) once stored, when the sender waits.</summary>
    public sealed record Accept(FloorRecord Record) : FloorCommand;

    /// <summary>Move the store clock to a device time (end of a replay, tests); answered with <see cref="Delivered"/> once stored.</summary>
    public sealed record AdvanceClock(long TimeMs) : FloorCommand;

    /// <summary>A visit is settled or in review: the floor forgets it.</summary>
    public sealed record CloseVisit(string VisitId) : FloorCommand;

    /// <summary>A shelf starting up asks where its bins stood; answered with <see cref="BinReferences"/>.</summary>
    public sealed record GetBinReferences(IReadOnlyList<string> BinIds) : FloorCommand;

    /// <summary>Answered with a <see cref="FloorView"/>.</summary>
    public sealed record GetView : FloorCommand
    {
        public static readonly GetView Instance = new();
    }
}

public sealed record BinReferences(IReadOnlyDictionary<string, BinReference> Bins);
