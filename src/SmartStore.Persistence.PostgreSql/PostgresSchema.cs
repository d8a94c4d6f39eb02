namespace SmartStore.Persistence.PostgreSql;

/// <summary>
/// The hand-written, versioned DDL. Steps run once, in order, each in a transaction that also records it in
/// <c>schema_migrations</c>; an advisory lock keeps two nodes from migrating at once. Never edit a shipped
/// step: add the next one.
/// </summary>
internal static class PostgresSchema
{
    public const long MigrationLock = 0x5353_4A4F_5552;

    public static readonly IReadOnlyList<string> Migrations =
    [
        // 1: streams (locked per append to check versions before any position is taken), events with an
        // identity position, tags, snapshots, projection checkpoints.
        """
        CREATE TABLE streams (
            stream_id text PRIMARY KEY,
            version   bigint NOT NULL
        );
        CREATE TABLE events (
            position     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            stream_id    text     NOT NULL,
            sequence     bigint   NOT NULL,
            category     text     NOT NULL,
            type_name    text     NOT NULL,
            type_version integer  NOT NULL,
            payload      bytea    NOT NULL,
            tags         text     NOT NULL,
            writer_id    text     NOT NULL,
            created_utc  timestamptz NOT NULL,
            UNIQUE (stream_id, sequence)
        );
        CREATE INDEX events_by_category ON events (category, position);
        CREATE TABLE event_tags (
            tag      text   NOT NULL,
            position bigint NOT NULL,
            PRIMARY KEY (tag, position)
        );
        CREATE TABLE snapshots (
            stream_id    text    NOT NULL,
            sequence     bigint  NOT NULL,
            type_name    text    NOT NULL,
            type_version integer NOT NULL,
            payload      bytea   NOT NULL,
            created_utc  timestamptz NOT NULL,
            PRIMARY KEY (stream_id, sequence)
        );
        CREATE TABLE projection_checkpoints (
            name     text PRIMARY KEY,
            position bigint NOT NULL
        );
        """,
    ];
}
