using BenchmarkDotNet.Running;
using SmartStore.Benchmarks.Actors;

// `memory` runs the idle-actor footprint measurement (a GC census, not a timing);
// everything else goes to BenchmarkDotNet's switcher (for example --filter '*Tell*').
if (args.FirstOrDefault() == "memory")
{
    await IdleFootprint.RunAsync();
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
