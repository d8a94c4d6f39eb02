namespace SmartStore.Persistence.Sqlite;

/// <summary>
/// The hand-written, versioned DDL. Each step runs once, in order, in its own transaction, and records its
/// number in <c>PRAGMA user_version</c>. Never edit a shipped step: add the next one.
/// </summary>
internal static class SqliteSchema
{
    public static readonly IReadOnlyList<string> Migrations =
    [
        // 1: streams, events (global position = rowid), tags, snapshots, projection checkpoints.
        """
        CREATE TABLE streams (
            stream_id TEXT PRIMARY KEY,
            version   INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE events (
            position     INTEGER PRIMARY KEY AUTOINCREMENT,
            stream_id    TEXT    NOT NULL,
            sequence     INTEGER NOT NULL,
            category     TEXT    NOT NULL,
            type_name    TEXT    NOT NULL,
            type_version INTEGER NOT NULL,
            payload      BLOB    NOT NULL,
            tags         TEXT    NOT NULL,
            writer_id    TEXT    NOT NULL,
            created_ms   INTEGER NOT NULL,
            UNIQUE (stream_id, sequence)
        );
        CREATE INDEX events_by_category ON events (category, position);
        CREATE TABLE event_tags (
            tag      TEXT    NOT NULL,
            position INTEGER NOT NULL,
            PRIMARY KEY (tag, position)
        ) WITHOUT ROWID;
        CREATE TABLE snapshots (
            stream_id    TEXT    NOT NULL,
            sequence     INTEGER NOT NULL,
            type_name    TEXT    NOT NULL,
            type_version INTEGER NOT NULL,
            payload      BLOB    NOT NULL,
            created_ms   INTEGER NOT NULL,
            PRIMARY KEY (stream_id, sequence)
        ) WITHOUT ROWID;
        CREATE TABLE projection_checkpoints (
            name     TEXT PRIMARY KEY,
            position INTEGER NOT NULL
        ) WITHOUT ROWID;
        """,
    ];
}
