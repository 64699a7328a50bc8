namespace Hotline.Storage;

/// <summary>
/// The store cannot be opened with the master key it was given: it is missing, malformed, or not
/// the key the data was sealed with. The message says which and what to do, and never holds key material.
/// </summary>
public sealed class MasterKeyException : Exception
{
    public MasterKeyException(string message)
        : base(message)
    {
    }

    public static MasterKeyException Missing() => new(
        "Hotline needs its master key to open the data directory: set Hotline:MasterKeyFile to a file holding it " +
        "(base64 of 32 random bytes, owner-only, outside the data directory) or the HOTLINE_MASTER_KEY environment variable. " +
        "A new installation can create one with `Hotline.Server keygen --out ~/.config/hotline/master.key`.");

    public static MasterKeyException Mismatch() => new(
        "The master key does not match the one this data directory was sealed with; refusing to start. " +
        "Check which key file or HOTLINE_MASTER_KEY this server was given.");

    public static MasterKeyException Malformed(string why) => new(
        $"The master key is unusable: {why}. It must be the base64 encoding of exactly 32 random bytes.");

    public static MasterKeyException UnencryptedData() => new(
        "This data directory holds requests stored by a Hotline version without field encryption; refusing to seal " +
        "new data next to plaintext. Move it aside (and destroy it securely once it is no longer needed) and start with an empty directory.");
}
