namespace Hotline.Server.Admin;

/// <summary>`Hotline:Lockdown`: what a lockdown requested through the admin socket does to the process.</summary>
public sealed class LockdownOptions : ICheckedOptions
{
    public const string Section = "Hotline:Lockdown";

    /// <summary>
    /// Exit (with <see cref="ExitCodes.LockedDown"/>) once the lock is persisted and the admin
    /// has the answer: erasing the keys cannot erase the request content, tokens and buffers the
    /// runtime still holds, but ending the process does. Its supervisor starts it again, locked,
    /// holding nothing. Off only for in-process tests that look at a locked server they keep running.
    /// </summary>
    public bool ExitProcess { get; set; } = true;

    public IEnumerable<string> Problems() => [];
}
