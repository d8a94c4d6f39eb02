using BenchmarkDotNet.Running;
using SmartStore.Benchmarks;

// `memory` measures idle sharded entities and the node's start-up (a GC census, not a timing), `persistence`
// the journal load run (it starts its own PostgreSQL);
// everything else goes to BenchmarkDotNet's switcher (for example --filter '*Tell*', or '*Vision*' for the face
// pipeline's stages and the 1:N template search, issue 14).
try
{
    switch (args.FirstOrDefault())
    {
        case "memory":
            await SmartStore.Benchmarks.Node.NodeFootprint.RunAsync();
            return 0;
        case "persistence":
            await SmartStore.Benchmarks.Persistence.PersistenceLoad.RunAsync();
            return 0;
        case "qa":
            await SmartStore.Benchmarks.Qa.QaLoad.RunAsync(args[1..]);
            return 0;
        case "accuracy":
            await SmartStore.Benchmarks.Qa.AccuracyMatrix.RunAsync(args[1..]);
            return 0;
        case "mqtt":
            await SmartStore.Benchmarks.Mqtt.MqttLoad.RunAsync(args[1..]);
            return 0;
        case "broker":
            await SmartStore.Benchmarks.Mqtt.BrokerLoad.RunAsync(args[1..]);
            return 0;
        case "stores":
            await SmartStore.Benchmarks.Mqtt.StoresPerNodeLoad.RunAsync(args[1..]);
            return 0;
        case "map":
            await SmartStore.Benchmarks.LiveMap.MapLatencyLoad.RunAsync(args[1..]);
            return 0;
        case "store":
            await SmartStore.Benchmarks.Store.StoreLoad.RunAsync(args[1..]);
            return 0;
    }
}
catch (BadArgumentException bad)
{
    // Bad input exits 2 here as in the simulator and the node (a crash's stack trace would hide which argument).
    await Console.Error.WriteLineAsync($"error: {bad.Message}");
    return 2;
}

BenchmarkSwitcher.FromAssembly(typeof(SmartStore.Benchmarks.Qa.AccuracyMatrix).Assembly).Run(args);
return 0;
