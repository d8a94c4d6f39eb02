using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace SmartStore.Node.Accounts;

/// <summary>Where the shoppers' keys live and the key that wraps them; the demo's defaults sit beside the journal.</summary>
public sealed record KeyVaultSettings
{
    /// <summary>The vault's SQLite file: a different file from the journal, so that the journal's backups never hold a key.</summary>
    public string Path { get; init; } = System.IO.Path.Combine(".smartstore", "keys.db");

    /// <summary>
    /// A file holding the 32-byte master key (base64). When not set, <c>SMARTSTORE_MASTER_KEY</c> is read; when
    /// neither is set, a key is generated beside the vault (<c>master.key</c>, owner-only), which is what the demo does.
    /// </summary>
    public string? MasterKeyFile { get; init; }

    public const string MasterKeyVariable = "SMARTSTORE_MASTER_KEY";

    /// <summary>Beside a SQLite journal (each test node its own vault); in the working folder otherwise.</summary>
    public static KeyVaultSettings BesideJournal(Persistence.JournalSettings journal)
    {
        ArgumentNullException.ThrowIfNull(journal);
        var folder = journal.IsPostgres ? ".smartstore" : System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(journal.SqlitePath)) ?? ".smartstore";
        return new KeyVaultSettings { Path = System.IO.Path.Combine(folder, "keys.db") };
    }
}

/// <summary>
/// One key per shopper (AES-256), each stored wrapped by the operator's master key (AES-GCM, the shopper's id as
/// associated data), in a SQLite file of its own with <c>secure_delete</c> on and a rollback journal (no WAL), so a
/// destroyed key's bytes are overwritten in the file, not just unlinked. Everything personal in the journal,
/// the face template first, is sealed with the shopper's key: destroying the key is the erasure (crypto-shredding),
/// and no replay of the journal or of a backup of it can open the template again.
/// </summary>
/// <remarks>
/// Calls are synchronous: one local row read or write, well under a millisecond, made by the account actor while
/// it handles a command or recovers, so that the key is there before the next event is sealed or opened.
/// </remarks>
public sealed class ShopperKeyVault
{
    private const int KeyBytes = 32;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private readonly string _connection;
    private readonly byte[] _masterKey;

    private ShopperKeyVault(string connection, byte[] masterKey)
    {
        _connection = connection;
        _masterKey = masterKey;
    }

    public string Path { get; private init; } = string.Empty;

    public static ShopperKeyVault Open(KeyVaultSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var path = System.IO.Path.GetFullPath(settings.Path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var masterKey = LoadMasterKey(settings, path);
        var connection = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true }.ToString();
        var vault = new ShopperKeyVault(connection, masterKey) { Path = path };
        using var db = vault.Connect();
        using var command = db.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode = DELETE;
            CREATE TABLE IF NOT EXISTS shopper_keys (shopper_id TEXT PRIMARY KEY, wrapped BLOB NOT NULL) STRICT;
            """;
        command.ExecuteNonQuery();
        return vault;
    }

    /// <summary>The shopper's key, or null when there is none (never issued, or destroyed by erasure).</summary>
    public byte[]? Find(string shopperId)
    {
        using var db = Connect();
        return Find(db, shopperId);
    }

    /// <summary>The shopper's key, issued now if they have none (one connection for the look-up and the issue).</summary>
    public byte[] GetOrCreate(string shopperId)
    {
        using var db = Connect();
        if (Find(db, shopperId) is { } existing)
        {
            return existing;
        }

        using var command = db.CreateCommand();
        command.CommandText = "INSERT INTO shopper_keys (shopper_id, wrapped) VALUES ($id, $wrapped) ON CONFLICT (shopper_id) DO NOTHING";
        command.Parameters.AddWithValue("$id", shopperId);
        command.Parameters.AddWithValue("$wrapped", Wrap(RandomNumberGenerator.GetBytes(KeyBytes), shopperId));
        command.ExecuteNonQuery();

        // Another writer may have won the race: the key in the vault is the key.
        return Find(db, shopperId) ?? throw new InvalidOperationException($"The key of {shopperId} could not be stored.");
    }

    /// <summary>Destroys the shopper's key: its row is deleted and its bytes overwritten in the file.</summary>
    public bool Destroy(string shopperId)
    {
        using var db = Connect();
        using var command = db.CreateCommand();
        command.CommandText = "DELETE FROM shopper_keys WHERE shopper_id = $id";
        command.Parameters.AddWithValue("$id", shopperId);
        return command.ExecuteNonQuery() > 0;
    }

    /// <summary>Every shopper holding a key: the accounts that may hold a face template.</summary>
    public IReadOnlyList<string> Shoppers()
    {
        using var db = Connect();
        using var command = db.CreateCommand();
        command.CommandText = "SELECT shopper_id FROM shopper_keys ORDER BY shopper_id";
        using var reader = command.ExecuteReader();
        var ids = new List<string>();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    private byte[]? Find(SqliteConnection db, string shopperId)
    {
        using var command = db.CreateCommand();
        command.CommandText = "SELECT wrapped FROM shopper_keys WHERE shopper_id = $id";
        command.Parameters.AddWithValue("$id", shopperId);
        return command.ExecuteScalar() is byte[] wrapped ? Unwrap(wrapped, shopperId) : null;
    }

    private SqliteConnection Connect()
    {
        var db = new SqliteConnection(_connection);
        db.Open();
        using var pragma = db.CreateCommand();
        pragma.CommandText = "PRAGMA secure_delete = ON;";
        pragma.ExecuteNonQuery();
        return db;
    }

    private byte[] Wrap(byte[] key, string shopperId)
    {
        var wrapped = new byte[NonceBytes + TagBytes + key.Length];
        RandomNumberGenerator.Fill(wrapped.AsSpan(0, NonceBytes));
        using var aes = new AesGcm(_masterKey, TagBytes);
        aes.Encrypt(wrapped.AsSpan(0, NonceBytes), key, wrapped.AsSpan(NonceBytes + TagBytes), wrapped.AsSpan(NonceBytes, TagBytes), Encoding.UTF8.GetBytes(shopperId));
        return wrapped;
    }

    private byte[] Unwrap(byte[] wrapped, string shopperId)
    {
        if (wrapped.Length != NonceBytes + TagBytes + KeyBytes)
        {
            throw new CryptographicException($"The vault's key of {shopperId} is {wrapped.Length} bytes, not a wrapped key.");
        }

        var key = new byte[KeyBytes];
        using var aes = new AesGcm(_masterKey, TagBytes);
        try
        {
            aes.Decrypt(wrapped.AsSpan(0, NonceBytes), wrapped.AsSpan(NonceBytes + TagBytes), wrapped.AsSpan(NonceBytes, TagBytes), key, Encoding.UTF8.GetBytes(shopperId));
        }
        catch (AuthenticationTagMismatchException error)
        {
            throw new CryptographicException($"The key of {shopperId} does not open with this node's master key: the vault belongs to another master key.", error);
        }

        return key;
    }

    private static byte[] LoadMasterKey(KeyVaultSettings settings, string vaultPath)
    {
        if (settings.MasterKeyFile is { } file)
        {
            if (!File.Exists(file))
            {
                throw new InvalidOperationException($"The master key file '{file}' does not exist (configure biometrics.master-key-file, or {KeyVaultSettings.MasterKeyVariable}).");
            }

            return Decode(File.ReadAllText(file), $"the master key file '{file}'");
        }

        if (Environment.GetEnvironmentVariable(KeyVaultSettings.MasterKeyVariable) is { Length: > 0 } variable)
        {
            return Decode(variable, KeyVaultSettings.MasterKeyVariable);
        }

        var generated = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(vaultPath)!, "master.key");
        if (!File.Exists(generated))
        {
            using var stream = new FileStream(generated, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(stream.SafeFileHandle, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            stream.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyBytes))));
        }

        return Decode(File.ReadAllText(generated), $"the generated master key '{generated}'");
    }

    private static byte[] Decode(string text, string source)
    {
        try
        {
            var key = Convert.FromBase64String(text.Trim());
            return key.Length == KeyBytes ? key : throw new InvalidOperationException($"{source} holds {key.Length} bytes; a master key is {KeyBytes} bytes, base64.");
        }
        catch (FormatException error)
        {
            throw new InvalidOperationException($"{source} is not base64 (a master key is {KeyBytes} random bytes, base64).", error);
        }
    }
}
