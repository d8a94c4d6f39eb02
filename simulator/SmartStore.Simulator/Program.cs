using SmartStore.Simulator;
using Spectre.Console;

if (Console.IsOutputRedirected)
{
    // A file, a pipe or a CI log: Spectre cannot ask a terminal how wide it is and assumes 80 columns, which
    // wraps the scenario table and the summary lines mid-word. As wide as the node's own redirected output, and
    // no colour codes in the file.
    AnsiConsole.Profile.Width = 250;
    AnsiConsole.Profile.Capabilities.Ansi = false;
}

return await SimulatorCli.RunAsync(args);
