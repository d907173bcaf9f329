using System.Runtime.InteropServices;

namespace Crossboard.Container;

/// <summary>A numeric user and group: who the builder container runs as, so files it writes into mounts are the caller's.</summary>
public sealed record HostUser(uint Uid, uint Gid)
{
    /// <summary>The user running crossboard (on Windows, where docker maps ownership itself: null).</summary>
    public static HostUser? Current => OperatingSystem.IsWindows() ? null : new HostUser(getuid(), getgid());

    public bool IsRoot => Uid == 0;

    /// <summary>The value of docker run --user.</summary>
    public override string ToString() => $"{Uid}:{Gid}";

    [DllImport("libc", SetLastError = false)]
    private static extern uint getuid();

    [DllImport("libc", SetLastError = false)]
    private static extern uint getgid();
}
