using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;

namespace SmartStore.Benchmarks.Actors;

/// <summary>
/// A short job (this is a 2-core machine with a time budget) with allocation counting, and each kernel
/// case shown as a ratio against its bare Channel&lt;T&gt;-and-task baseline from the same run.
/// </summary>
public sealed class BenchConfig : ManualConfig
{
    public BenchConfig()
    {
        AddJob(Job.Default.WithWarmupCount(8).WithIterationCount(15).WithLaunchCount(1).WithId("short"));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(BaselineRatioColumn.RatioMean);
        WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared));
        HideColumns(Column.Error, Column.StdDev, Column.Gen0, Column.Gen1, Column.Gen2);
    }
}
