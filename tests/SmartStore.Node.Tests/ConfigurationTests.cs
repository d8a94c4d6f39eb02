using SmartStore.Node.Configuration;
using Xunit;

namespace SmartStore.Node.Tests;

public sealed class ConfigurationTests
{
    [Fact]
    public async Task The_shipped_cluster_hocon_reads_into_the_kernel_settings()
    {
        var settings = await NodeSettings.LoadAsync(Path.Combine(AppContext.BaseDirectory, "cluster.hocon"), CancellationToken.None);

        Assert.Equal(100, settings.Actors.Throughput);
        Assert.Equal(TimeSpan.FromMilliseconds(1), settings.Actors.ThroughputDeadline);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.Actors.ShutdownDrainTimeout);
        Assert.Equal(TimeSpan.FromMinutes(2), settings.Regions.IdleTimeout);
    }

    [Fact]
    public void Nested_objects_dotted_keys_comments_strings_and_overrides_are_understood()
    {
        var config = HoconReader.Parse(
            """
            # a comment
            a {
              b = 1          // trailing comment
              c { d: "x # not a comment" }
            }
            a.c.e = 250ms
            a.b = 2
            """.Replace("c { d: \"x # not a comment\" }", "c {\n d: \"x # not a comment\"\n }", StringComparison.Ordinal),
            "t.hocon");

        Assert.Equal(2, config.GetInt("a.b", 0));
        Assert.Equal("x # not a comment", config.GetString("a.c.d", ""));
        Assert.Equal(TimeSpan.FromMilliseconds(250), config.GetDuration("a.c.e", TimeSpan.Zero));
        Assert.Equal(7, config.GetInt("missing", 7));
    }

    [Theory]
    [InlineData("a {\n b = 1\n", "t.hocon:1: 'a {' is never closed")]
    [InlineData("}\n", "t.hocon:1: '}' closes nothing")]
    [InlineData("a = \"open\n", "t.hocon:1: unterminated string for 'a'")]
    [InlineData("just words\n", "t.hocon:1: expected 'key = value'")]
    [InlineData("bad key! = 1\n", "t.hocon:1: 'bad key!' is not a valid key")]
    public void Malformed_files_fail_with_the_file_and_line(string text, string expected)
    {
        var error = Assert.Throws<ConfigurationException>(() => HoconReader.Parse(text, "t.hocon"));
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("smartstore.actors.throughput = 0", "t.hocon:1: 'smartstore.actors.throughput' must be a whole number between 1 and 100000, got '0'")]
    [InlineData("smartstore.actors.shutdown-drain-timeout = soon", "t.hocon:1: 'smartstore.actors.shutdown-drain-timeout' must be a duration")]
    public void Out_of_range_or_mistyped_values_are_reported_not_defaulted(string text, string expected)
    {
        var error = Assert.Throws<ConfigurationException>(() => NodeSettings.From(HoconReader.Parse(text, "t.hocon")));
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }
}
