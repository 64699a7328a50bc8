using System.Runtime.InteropServices;

namespace Hotline.Server.Hosting;

/// <summary>
/// Keeps the server's memory, which holds keys and decrypted requests while unlocked, out of core
/// files and away from other users' debuggers: the process is made non-dumpable (which also makes
/// /proc/PID/mem and friends readable by root only and forbids ptrace by the same user) and its
/// core file size limit is set to zero. Linux only; elsewhere nothing is done and that is said.
/// The .NET diagnostics socket cannot be closed from inside the process: run.sh and the service
/// unit start the server with DOTNET_EnableDiagnostics=0.
/// </summary>
internal static partial class ProcessHardening
{
    private const int PrSetDumpable = 4;
    private const int PrGetDumpable = 3;
    private const int RlimitCore = 4;

    /// <summary>What <see cref="Apply"/> achieved, for the start-up log.</summary>
    internal readonly record struct Outcome(bool NotDumpable, bool NoCoreFiles, string? Problem);

    public static Outcome Apply()
    {
        if (!OperatingSystem.IsLinux())
        {
            return new Outcome(false, false, "not Linux: core dumps and ptrace are not restricted by the server");
        }
        string? problem = null;
        if (Prctl(PrSetDumpable, 0, 0, 0, 0) != 0)
        {
            problem = "prctl(PR_SET_DUMPABLE, 0) failed with errno " + Marshal.GetLastPInvokeError();
        }
        var zero = new Limit(0, 0);
        if (SetRlimit(RlimitCore, ref zero) != 0)
        {
            problem = (problem is null ? "" : problem + "; ") + "setrlimit(RLIMIT_CORE, 0) failed with errno " + Marshal.GetLastPInvokeError();
        }
        var current = new Limit(ulong.MaxValue, ulong.MaxValue);
        var noCore = GetRlimit(RlimitCore, ref current) == 0 && current.Soft == 0 && current.Hard == 0;
        return new Outcome(Prctl(PrGetDumpable, 0, 0, 0, 0) == 0, noCore, problem);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Limit(ulong soft, ulong hard)
    {
        public ulong Soft = soft;
        public ulong Hard = hard;
    }

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetRlimit(int resource, ref Limit limit);

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRlimit(int resource, ref Limit limit);
}
