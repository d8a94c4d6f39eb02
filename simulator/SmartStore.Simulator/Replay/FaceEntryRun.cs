using System.Diagnostics;
using System.Text.Json.Serialization;
using SmartStore.Domain.Layouts;
using SmartStore.Messaging.Protocol;
using SmartStore.Messaging.Transport;
using SmartStore.Node.Accounts;
using SmartStore.Node.Hosting;
using SmartStore.Node.Persistence;
using SmartStore.Payments;
using SmartStore.Simulator.Generation;
using SmartStore.Simulator.Reports;
using SmartStore.Vision;
using SmartStore.Vision.Embedding;

namespace SmartStore.Simulator.Replay;

/// <summary>What a face-entry run plays and against what.</summary>
public sealed record FaceEntryOptions(string FacesDirectory, string DetectorModel, string EmbedderModel)
{
    /// <summary>Random templates of made-up shoppers added to the gallery, so the search runs at a real store's size.</summary>
    public int GalleryPadding { get; init; }

    /// <summary>Times each enrolled person walks up (each with new motion and noise).</summary>
    public int WalksPerPerson { get; init; } = 2;

    public int FramesPerWalk { get; init; } = 3;

    public int Seed { get; init; } = 42;

    public int Workers { get; init; } = Math.Max(1, Environment.ProcessorCount);
}

/// <summary>One walk-up at the gate: who it was, what the gate should do, what it did, how long it took.</summary>
public sealed record GateAttempt(string Kind, string Photo, string? Expected, string Command, string? AdmittedShopper, string? Reason, double LatencyMs)
{
    /// <summary>The gate opened for someone it should not have (a stranger, a still, the wrong shopper).</summary>
    public bool FalseAccept => Command == GateCommand.Open && AdmittedShopper != Expected;

    /// <summary>An enrolled, live shopper was kept out.</summary>
    public bool FalseReject => Expected is not null && Command != GateCommand.Open;
}

/// <summary>The identification figures of a face-entry run.</summary>
public sealed record FaceEntryReport(int Enrolled, int GallerySize, IReadOnlyList<GateAttempt> Attempts, double FramesPerSecond)
{
    /// <summary>Photos the enrolment quality gate refused, with the reason (they are neither enrolled nor walked up with).</summary>
    public IReadOnlyList<string> RefusedAtEnrolment { get; init; } = [];

    public int FalseAccepts => Attempts.Count(a => a.FalseAccept);

    public int FalseRejects => Attempts.Count(a => a.FalseReject);

    public int Genuine => Attempts.Count(a => a.Expected is not null);

    public int UnknownAttempts => Attempts.Count(a => a.Kind == "unknown");

    public int UnknownRefused => Attempts.Count(a => a.Kind == "unknown" && a.Command == GateCommand.Deny);

    public int StillAttempts => Attempts.Count(a => a.Kind == "replayed-still");

    public int StillsRefused => Attempts.Count(a => a.Kind == "replayed-still" && a.Command == GateCommand.Deny);

    /// <summary>The gate's decision latency over every walk-up (the report's own percentiles, as for entry decisions).</summary>
    [JsonIgnore]
    public LatencySummary Latency => Scoring.Summarise(Attempts.Select(a => a.LatencyMs));

    public double P50Ms => Latency.P50;

    public double P99Ms => Latency.P99;
}

/// <summary>
/// QA for face entry: a real node (SQLite journal, key vault, the face pipeline) on the small store; every
/// identity in the faces folder enrols with all but its last usable photo (one the quality gate accepts) and walks
/// up with that last one (frames made
/// by <see cref="GateCameraFrames"/>); the unknown faces walk up; each enrolled shopper's still is replayed at
/// the camera; a group photo comes as a group entry. Each walk-up is timed from its last frame's delivery to the
/// gate's command (the frame that lets the gate decide, received → command published).
/// </summary>
public static class FaceEntryRun
{
    private static readonly DateTimeOffset Consent = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    public static async Task<FaceEntryReport> RunAsync(StoreLayout layout, FaceEntryOptions options, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(options);
        var gate = layout.Gates.First(g => g.Direction == GateDirection.Entry).Id;
        var folder = Directory.CreateTempSubdirectory("smartstore-face-entry-");
        var transport = new InProcessTransport();
        var nodeOptions = new StoreNodeOptions(layout)
        {
            Journal = JournalSettings.SqliteFile(Path.Combine(folder.FullName, "journal.db")),
            KeyVault = new KeyVaultSettings { Path = Path.Combine(folder.FullName, "keys.db") },
            Vision = new VisionOptions { DetectorModelPath = options.DetectorModel, EmbedderModelPath = options.EmbedderModel, Workers = options.Workers },
            Entry = new() { HoldMinor = 0 },
        };
        try
        {
            await using var node = await StoreNode.StartAsync(nodeOptions, new SimulatedPsp(new PspSimulation { Seed = options.Seed }), transport, cancellationToken: cancellationToken);
            transport.Connect(node);
            var people = Directory.EnumerateDirectories(options.FacesDirectory).Select(Path.GetFileName).Where(n => n is not null && !n.StartsWith('_')).Select(n => n!).Order(StringComparer.Ordinal).ToList();
            var heldOut = new Dictionary<string, string>(StringComparer.Ordinal);
            var refusedAtEnrolment = new List<string>();
            foreach (var person in people)
            {
                await node.EnrolAsync(person, person, $"face/{person}", $"tok-{person}", Consent, cancellationToken);

                // Each photo through the enrolment quality gate on its own first (a re-enrolment replaces the
                // template, so the probes leave nothing behind): a photo the gate refuses is neither enrolled
                // nor walked up with, and the report says which and why.
                var usable = new List<string>();
                foreach (var photo in Directory.EnumerateFiles(Path.Combine(options.FacesDirectory, person)).Order(StringComparer.Ordinal))
                {
                    var probe = await node.EnrolFaceAsync(person, [File.ReadAllBytes(photo)], Consent, cancellationToken);
                    if (probe.Enrolled)
                    {
                        usable.Add(photo);
                    }
                    else
                    {
                        refusedAtEnrolment.Add($"{person}/{Path.GetFileName(photo)}: {string.Join("; ", probe.Refusals).Replace("photo 1: ", string.Empty, StringComparison.Ordinal)}");
                    }
                }

                if (usable.Count < 2)
                {
                    throw new InvalidOperationException($"{person} has {usable.Count} photo(s) the quality gate accepts; a face-entry run needs two (one to enrol, one to walk up with)");
                }

                var enrolment = await node.EnrolFaceAsync(person, [.. usable.Take(usable.Count - 1).Select(p => (ReadOnlyMemory<byte>)File.ReadAllBytes(p))], Consent, cancellationToken);
                if (!enrolment.Enrolled)
                {
                    throw new InvalidOperationException($"{person} could not be enrolled: {string.Join("; ", enrolment.Refusals)}");
                }

                heldOut[person] = usable[^1];
                progress?.Report($"enrolled {person}");
            }

            await PadGalleryAsync(node, options, progress, cancellationToken);
            var camera = new GateCamera(layout.StoreId, gate);
            var attempts = new List<GateAttempt>();
            var random = new Random(options.Seed);
            var frames = 0;
            var clock = Stopwatch.StartNew();
            for (var walk = 0; walk < options.WalksPerPerson; walk++)
            {
                foreach (var person in people)
                {
                    var shots = GateCameraFrames.Walking(File.ReadAllBytes(heldOut[person]), options.FramesPerWalk, random.Next());
                    attempts.Add(await WalkUpAsync(node, transport, camera, "enrolled", heldOut[person], person, shots, cancellationToken));
                    frames += shots.Count;
                }
            }

            foreach (var stranger in Directory.EnumerateFiles(Path.Combine(options.FacesDirectory, "_multi"), "unknown-*").Order(StringComparer.Ordinal))
            {
                for (var walk = 0; walk < options.WalksPerPerson; walk++)
                {
                    var shots = GateCameraFrames.Walking(File.ReadAllBytes(stranger), options.FramesPerWalk, random.Next());
                    attempts.Add(await WalkUpAsync(node, transport, camera, "unknown", stranger, null, shots, cancellationToken));
                    frames += shots.Count;
                }
            }

            foreach (var person in people)
            {
                var still = GateCameraFrames.Still(File.ReadAllBytes(heldOut[person]), options.FramesPerWalk);
                attempts.Add(await WalkUpAsync(node, transport, camera, "replayed-still", heldOut[person], null, still, cancellationToken));
                frames += still.Count;
            }

            var elapsed = clock.Elapsed.TotalSeconds;
            return new FaceEntryReport(people.Count, node.GallerySize, attempts, frames / Math.Max(elapsed, 1e-6)) { RefusedAtEnrolment = refusedAtEnrolment };
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }

    private static async Task PadGalleryAsync(StoreNode node, FaceEntryOptions options, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var random = new Random(options.Seed);
        for (var start = 0; start < options.GalleryPadding; start += 256)
        {
            var batch = Enumerable.Range(start, Math.Min(256, options.GalleryPadding - start)).Select(i =>
            {
                var template = FaceEmbedder.Normalise([.. Enumerable.Range(0, FaceGallery.DefaultDimensions).Select(_ => (float)((random.NextDouble() * 2) - 1))]);
                return node.EnrolAndFaceAsync($"padding-{i:D6}", template, Consent, cancellationToken);
            }).ToList();
            await Task.WhenAll(batch);
            progress?.Report($"gallery padded to {Math.Min(start + 256, options.GalleryPadding):N0} made-up shoppers");
        }
    }

    private static async Task EnrolAndFaceAsync(this StoreNode node, string shopperId, float[] template, DateTimeOffset consent, CancellationToken cancellationToken)
    {
        await node.EnrolAsync(shopperId, shopperId, $"face/{shopperId}", $"tok-{shopperId}", consent, cancellationToken);
        await node.EnrolTemplateAsync(shopperId, template, consent, cancellationToken);
    }

    /// <summary>One walk-up, judged on its own: apart by more than the burst window and every quiet time.</summary>
    private static async Task<GateAttempt> WalkUpAsync(StoreNode node, InProcessTransport transport, GateCamera camera, string kind, string photo, string? expected, IReadOnlyList<byte[]> frames, CancellationToken cancellationToken)
    {
        var (answer, latency) = await camera.WalkUpAsync(transport, frames, party: null, afterMs: 30_000, cancellationToken);

        // The gate is told the visit, not the shopper: who was let in is read back from the visit.
        var admitted = answer.Command == GateCommand.Open ? (await node.GetVisitAsync(answer.Visit!, cancellationToken)).State.PayerId : null;
        return new GateAttempt(kind, Path.GetFileName(photo), expected, answer.Command, admitted, answer.Reason, latency.TotalMilliseconds);
    }
}
