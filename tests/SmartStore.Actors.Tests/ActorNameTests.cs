using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace SmartStore.Actors.Tests;

public sealed class ActorNameTests
{
    [Fact]
    public void Escaping_any_entity_id_gives_a_valid_name_that_unescapes_to_the_id()
    {
        var property = Prop.ForAll(
            ArbMap.Default.ArbFor<string>().Filter(s => s is not null),
            id =>
            {
                var name = ActorNames.Escape(id);
                ActorNames.Validate(name);
                return ActorNames.Unescape(name) == id;
            });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(500), property);
    }

    [Theory]
    [InlineData("shelf-1", "shelf-1")]
    [InlineData("a b", "a~0020b")]
    [InlineData("~", "~007e")]
    [InlineData("$x", "~0024x")]
    public void Escape_keeps_plain_ids_and_encodes_the_rest(string id, string expected) =>
        Assert.Equal(expected, ActorNames.Escape(id));
}
