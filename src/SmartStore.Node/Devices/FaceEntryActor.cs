using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using SmartStore.Domain.Entry;
using SmartStore.Domain.Layouts;
using SmartStore.Messaging.Protocol;
using SmartStore.Messaging.Transport;
using SmartStore.Node.Accounts;
using SmartStore.Node.Protocol;
using SmartStore.Vision;
using SmartStore.Vision.Identification;
using SmartStore.Vision.Liveness;
using SmartStore.Vision.Pipeline;
using SmartStore.Vision.Quality;
using SmartStore.Vision.Search;

namespace SmartStore.Node.Devices;

/// <summary>What face entry needs: the pipeline (shared by the node), the gallery, and the rules.</summary>
public sealed record FaceEntryServices(FacePipeline Pipeline, FaceGallery Gallery, FaceEntrySettings Settings);

/// <summary>
/// A gate's face camera, as a child of its gate: each frame is analysed off the actor (the pipeline bounds how
/// many at once), acknowledged once analysed (frames are never stored: they are biometric data, and a lost frame
/// is replaced by the next), matched against the gallery, and added to the gate's <see cref="FaceBurst"/>. An
/// identification becomes an <see cref="AdmissionActor"/>, which makes the usual entry decision (account,
/// consent, debt, hold, group); a refusal tells the gate to stay shut and why, and is counted by reason.
/// </summary>
public sealed class FaceEntryActor : ReceiveActor
{
    private readonly Gate _gate;
    private readonly GateServices _services;
    private readonly FaceEntryServices _faces;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<long, long> _startedAt = [];

    // Frames are analysed in parallel and finish in any order; the burst must see them in the order they came.
    private readonly SortedDictionary<long, Analysed?> _finished = [];
    private long _arrived;
    private long _released;
    private FaceBurst _burst = FaceBurst.Empty;

    /// <summary>
    /// Frames of one gate being analysed or waiting for a worker: more than a burst needs several times over, and
    /// a camera sending faster than the node can look is told so (each frame holds its image in memory meanwhile).
    /// </summary>
    public const int MaxFramesInFlight = 12;
    private long _admissions;

    public FaceEntryActor(Gate gate, GateServices services, FaceEntryServices faces)
    {
        _gate = gate;
        _services = services;
        _faces = faces;
        Receive<GateFrame>(Analyse);
        Receive<Analysed>(analysed =>
        {
            analysed.ReplyTo.Tell(Delivered.Accepted);
            _services.Health.Faces.FrameAnalysed();
            Release(analysed.Arrival, analysed);
        });
        Receive<AnalysisFailed>(failed =>
        {
            Failed(failed);
            Release(failed.Arrival, null);
        });
        Receive<GateActor.Handled>(handled => Finish(handled.Sequence));
        Receive<PublishDone>(_ => { });
        Receive<PublishFailed>(failed => _log.Warning(failed.Error, "gate {0}: a denial could not be sent to the gate", _gate.Id));
        Receive<GateActor.NotHandled>(failed =>
        {
            _log.Warning(failed.Error, "gate {0}: the entry decision after frame {1} failed", _gate.Id, failed.Sequence);
            Finish(failed.Sequence);
        });
    }

    private string Camera => CameraOf(_gate);

    /// <summary>The gate camera's device id (in health, and on the floor's entry records): its gate's, marked.</summary>
    public static string CameraOf(Gate gate)
    {
        ArgumentNullException.ThrowIfNull(gate);
        return $"{gate.Id}:camera";
    }

    private void Analyse(GateFrame frame)
    {
        var replyTo = Sender;
        if (_arrived - _released >= MaxFramesInFlight)
        {
            _services.Health.Rejected(RejectionReason.Overloaded, $"{Camera} frame {frame.Seq}: {MaxFramesInFlight} frames already waiting to be analysed; dropped");
            replyTo.Tell(Delivered.Rejected);
            return;
        }

        var received = Stopwatch.GetTimestamp();
        var arrival = ++_arrived;
        _faces.Pipeline.AnalyseAsync(frame.Image).PipeTo(
            Self,
            success: analysis => new Analysed(arrival, frame, analysis, received, replyTo),
            failure: error => new AnalysisFailed(arrival, frame, error, replyTo));
    }

    /// <summary>Hands finished analyses to the burst in arrival order; a failed one only frees its place.</summary>
    private void Release(long arrival, Analysed? analysed)
    {
        _finished[arrival] = analysed;
        while (_finished.Remove(_released + 1, out var next))
        {
            _released++;
            if (next is not null)
            {
                Decide(next);
            }
        }
    }

    private void Failed(AnalysisFailed failed)
    {
        if (failed.Error is VisionInputException bad)
        {
            _services.Health.Faces.FrameRefused();
            _services.Health.Rejected(RejectionReason.MalformedFrame, $"{Camera} frame {failed.Frame.Seq}: {bad.Message}");
            failed.ReplyTo.Tell(Delivered.Rejected);
            return;
        }

        // Not an answer about the frame (the pipeline failed): not acknowledged, so the camera sends it again.
        _log.Warning(failed.Error, "gate {0}: frame {1} could not be analysed", _gate.Id, failed.Frame.Seq);
        failed.ReplyTo.Tell(new Status.Failure(failed.Error));
    }

    private void Decide(Analysed analysed)
    {
        var frame = analysed.Frame;
        var faces = Faces(frame, analysed.Analysis);
        (_burst, var outcome) = FaceBurst.Add(_burst, faces, _faces.Settings);
        switch (outcome)
        {
            case BurstOutcome.Identified identified:
                _startedAt[identified.Seq] = analysed.ReceivedAt;
                var request = new AdmissionRequest(identified.Seq, identified.Ts, new Identification.Recognised(identified.ShopperId, identified.Similarity), identified.ShopperId, identified.Party, Camera);
                Context.ActorOf(Props.Create(() => new AdmissionActor(_gate, request, _services)), $"face-admission-{identified.Seq}-{++_admissions}");
                break;
            case BurstOutcome.Refused refused:
                _services.Health.EntryDenied(_gate.Id, refused.Reason);
                _services.Health.Faces.Refused(refused.Reason, Stopwatch.GetElapsedTime(analysed.ReceivedAt));
                var deny = new GateCommand(1, _gate.Id, GateCommand.Deny, null, null, refused.Reason, frame.Ts);
                _services.Commands.PublishAsync(Topics.GateCommands(_services.StoreId, _gate.Id), deny.ToJson()).AsTask()
                    .PipeTo(Self, success: () => PublishDone.Instance, failure: error => new PublishFailed(error));
                break;
        }
    }

    private void Finish(long sequence)
    {
        if (_startedAt.Remove(sequence, out var started))
        {
            _services.Health.Faces.Identified(Stopwatch.GetElapsedTime(started));
        }
    }

    private FrameFaces Faces(GateFrame frame, FrameAnalysis analysis)
    {
        var usable = new List<FaceCandidate>();
        string? unusableReason = null;
        var unusable = 0;
        foreach (var face in analysis.Faces)
        {
            if (!face.Usable)
            {
                unusable++;
                unusableReason ??= FaceQuality.Describe(face.Problem, face.Measures, _faces.Pipeline.Options.Quality);
                continue;
            }

            usable.Add(new FaceCandidate(face.Detection.Landmarks, MatchDecision.Decide(_faces.Gallery.Search(face.Embedding), _faces.Settings.Match)));
        }

        return new FrameFaces(frame.Seq, frame.Ts, frame.Party, LivenessSample.HashOf(frame.Image.Span), usable, unusable, unusableReason);
    }

    private sealed record Analysed(long Arrival, GateFrame Frame, FrameAnalysis Analysis, long ReceivedAt, IActorRef ReplyTo);

    private sealed record AnalysisFailed(long Arrival, GateFrame Frame, Exception Error, IActorRef ReplyTo);

    private sealed record PublishDone
    {
        public static readonly PublishDone Instance = new();
    }

    private sealed record PublishFailed(Exception Error);
}
