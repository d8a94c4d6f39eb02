using SmartStore.Simulator.Generation;
using SmartStore.Testing;
using Xunit;

namespace SmartStore.Simulator.Tests;

/// <summary>The simulator's program with its standard output going to a file or a pipe, as in CI.</summary>
public sealed class RedirectedOutputTests
{
    [Fact]
    public async Task Redirected_the_scenario_table_keeps_each_description_on_one_line_without_colour_codes()
    {
        // The program itself (not SimulatorCli in this process): its output is a pipe here, as it is in a CI log.
        var run = await CommandLineTool.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "smartstore-sim.dll"), "list-scenarios"]);

        run.EnsureSuccess();
        var lines = run.Output.Split('\n');
        Assert.All(Scenarios.Presets, spec => Assert.Contains(lines, line => line.Contains(spec.Description, StringComparison.Ordinal)));
        Assert.DoesNotContain('\u001b', run.Output);
    }
}
