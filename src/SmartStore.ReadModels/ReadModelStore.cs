using JasperFx;
using Marten;

namespace SmartStore.ReadModels;

/// <summary>The console's document store: Marten on PostgreSQL, in a schema of its own beside the journal's tables.</summary>
public static class ReadModelStore
{
    /// <summary>The PostgreSQL schema the read models live in.</summary>
    public const string Schema = "console";

    /// <summary>Opens the store; tables are created (or brought up to date) on first use.</summary>
    public static DocumentStore Open(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return DocumentStore.For(options =>
        {
            options.Connection(connectionString);
            options.DatabaseSchemaName = Schema;
            options.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
            options.UseSystemTextJsonForSerialization();
            options.Schema.For<VisitDocument>().Identity(d => d.Id);
            options.Schema.For<ShopperDocument>().Identity(d => d.Id);
            options.Schema.For<ProjectionCheckpoint>().Identity(c => c.Id);
        });
    }
}
