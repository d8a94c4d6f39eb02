using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using BenchmarkDotNet.Attributes;
using SmartStore.Domain.Floor;
using SmartStore.Node.Persistence;

namespace SmartStore.Benchmarks.Serialization;

/// <summary>
/// A floor batch (the journal's busiest event) through the node's serializer (System.Text.Json source
/// generation) beside Akka's default JSON serializer (Newtonsoft, reflection) as the baseline, both ways.
/// </summary>
[MemoryDiagnoser]
public class SerializerBenchmarks : IDisposable
{
    private ActorSystem _system = null!;
    private SmartStoreSerializer _ours = null!;
    private Serializer _default = null!;
    private FloorBatch _batch = null!;
    private byte[] _oursBytes = [];
    private byte[] _defaultBytes = [];
    private string _manifest = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        _system = ActorSystem.Create("bench", ConfigurationFactory.ParseString("akka.loglevel = WARNING"));
        _ours = new SmartStoreSerializer((ExtendedActorSystem)_system, NodeCatalog.Create());
        _default = new NewtonSoftJsonSerializer((ExtendedActorSystem)_system);
        var records = new List<FloorRecord>();
        for (var i = 0; i < 24; i++)
        {
            records.Add(i % 4 == 0
                ? new ShelfChangeRecord($"ws-shelf-0{i % 9}-l1b1", i, 1_795_251_600_000 + i, $"shelf-0{i % 9}-l1b1", $"ws-shelf-0{i % 9}-l1b1#{i}", -350.5, 1_795_251_599_000, 1_795_251_600_000, 4_250, i)
                : new SightingRecord("cam-nw", i, 1_795_251_600_000 + i, $"trk-{i % 5}", 2.5 + i, 1.6, i % 3 == 0 ? 2.5 : null, i % 3 == 0 ? 1.95 : null));
        }

        _batch = new FloorBatch(records);
        _oursBytes = _ours.ToBinary(_batch);
        _manifest = _ours.Manifest(_batch);
        _defaultBytes = _default.ToBinary(_batch);
    }

    [Benchmark(Baseline = true)]
    public byte[] DefaultToBinary() => _default.ToBinary(_batch);

    [Benchmark]
    public byte[] OursToBinary() => _ours.ToBinary(_batch);

    [Benchmark]
    public object DefaultFromBinary() => _default.FromBinary<FloorBatch>(_defaultBytes);

    [Benchmark]
    public object OursFromBinary() => _ours.FromBinary(_oursBytes, _manifest);

    [GlobalCleanup]
    public Task CleanupAsync() => _system.Terminate();

    public void Dispose()
    {
        _system.Dispose();
        GC.SuppressFinalize(this);
    }
}
