using SmartStore.Vision.Search;

namespace SmartStore.Node.Accounts;

/// <summary>
/// The node's in-memory gallery of enrolled face templates, kept by the account actors: a template is added when
/// it is enrolled or its account recovers, replaced on re-enrolment, and removed on erasure. The journal holds
/// templates only sealed; this is the one place one exists in the clear, and only in memory.
/// </summary>
public sealed class FaceGallery : IDisposable
{
    public const int DefaultDimensions = 512;

    public FaceGallery(int dimensions = DefaultDimensions)
    {
        Index = new TemplateIndex(dimensions);
    }

    public TemplateIndex Index { get; }

    public int Count => Index.Count;

    public void Enrolled(string shopperId, IReadOnlyList<float> template)
    {
        ArgumentNullException.ThrowIfNull(template);
        if (template.Count == Index.Dimensions)
        {
            Index.Upsert(shopperId, [.. template]);
        }
    }

    public void Erased(string shopperId) => Index.Remove(shopperId);

    public SearchResult Search(ReadOnlySpan<float> probe) => Index.Search(probe);

    public void Dispose() => Index.Dispose();
}
