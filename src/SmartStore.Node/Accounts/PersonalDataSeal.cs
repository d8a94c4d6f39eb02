using System.Security.Cryptography;
using System.Text;

namespace SmartStore.Node.Accounts;

/// <summary>
/// Seals one shopper's personal fields (name, face template, payment token) with that shopper's own key (AES-256-GCM, the shopper's id bound in as associated data, so a sealed field cannot be moved to
/// another account). The journal only ever holds sealed fields; erasing the account destroys the key.
/// </summary>
public static class PersonalDataSeal
{
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    public static byte[] NewKey() => RandomNumberGenerator.GetBytes(32);

    public static string Seal(string plaintext, byte[] key, string shopperId)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        return Seal(Encoding.UTF8.GetBytes(plaintext), key, shopperId);
    }

    public static string Seal(ReadOnlySpan<byte> clear, byte[] key, string shopperId)
    {
        var sealedBytes = new byte[NonceBytes + TagBytes + clear.Length];
        var nonce = sealedBytes.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagBytes);
        aes.Encrypt(nonce, clear, sealedBytes.AsSpan(NonceBytes + TagBytes), sealedBytes.AsSpan(NonceBytes, TagBytes), Encoding.UTF8.GetBytes(shopperId));
        return Convert.ToBase64String(sealedBytes);
    }

    public static string Open(string sealedText, byte[] key, string shopperId) => Encoding.UTF8.GetString(OpenBytes(sealedText, key, shopperId));

    public static byte[] OpenBytes(string sealedText, byte[] key, string shopperId)
    {
        ArgumentNullException.ThrowIfNull(sealedText);
        var sealedBytes = Convert.FromBase64String(sealedText);
        if (sealedBytes.Length < NonceBytes + TagBytes)
        {
            throw new CryptographicException("A sealed field is too short.");
        }

        var clear = new byte[sealedBytes.Length - NonceBytes - TagBytes];
        using var aes = new AesGcm(key, TagBytes);
        aes.Decrypt(sealedBytes.AsSpan(0, NonceBytes), sealedBytes.AsSpan(NonceBytes + TagBytes), sealedBytes.AsSpan(NonceBytes, TagBytes), clear, Encoding.UTF8.GetBytes(shopperId));
        return clear;
    }
}
