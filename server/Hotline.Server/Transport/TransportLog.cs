namespace Hotline.Server.Transport;

/// <summary>
/// The transport's log lines, source-generated; kept apart from ServerLog so their event ids
/// (100 and up) cannot collide with the server's. Arguments are addresses, certificate subjects,
/// fingerprints, caller ids and counts.
/// </summary>
internal static partial class TransportLog
{
    [LoggerMessage(100, LogLevel.Warning, "PLAINTEXT on {Address}: plaintext on loopback — development only. Requests and tokens travel unencrypted; "
        + "serve https:// with Hotline:Tls before anyone but this machine's own processes connects.")]
    public static partial void PlaintextOnLoopback(ILogger logger, string address);

    [LoggerMessage(101, LogLevel.Information, "TLS certificate {Subject}, fingerprint {Pin}, valid until {NotAfter:u}")]
    public static partial void CertificateInUse(ILogger logger, string subject, string pin, DateTime notAfter);

    [LoggerMessage(102, LogLevel.Error, "The TLS certificate expired on {NotAfter:u}: clients that validate it against a CA refuse to connect; pinned clients still connect. Replace it.")]
    public static partial void CertificateExpired(ILogger logger, DateTime notAfter);

    [LoggerMessage(103, LogLevel.Warning, "The TLS certificate expires on {NotAfter:u}, in {Days} days. Replace it, and give pinned clients the new fingerprint first.")]
    public static partial void CertificateExpiresSoon(ILogger logger, DateTime notAfter, int days);

    [LoggerMessage(104, LogLevel.Warning, "Intake limit per caller refused {Refused} submissions from {Caller} (logged at most every {Seconds} s)")]
    public static partial void IntakeCallerLimited(ILogger logger, long refused, string caller, int seconds);

    [LoggerMessage(105, LogLevel.Warning, "Global intake limit refused {Refused} submissions, the latest from {Caller} (logged at most every {Seconds} s)")]
    public static partial void IntakeGlobalLimited(ILogger logger, long refused, string caller, int seconds);
}
