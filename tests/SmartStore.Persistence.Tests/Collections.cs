using SmartStore.Testing;
using Xunit;

namespace SmartStore.Persistence.Tests;

[CollectionDefinition("postgres")]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>;
