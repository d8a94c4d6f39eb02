using SmartStore.Simulator;

return await SimulatorCli.RunAsync(args);
