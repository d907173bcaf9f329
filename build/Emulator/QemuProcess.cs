using System.Runtime.InteropServices;
using Crossboard.Machine;

namespace Crossboard.Emulator;

/// <summary>
/// The operating-system side of a daemonized qemu: is a PID still this qemu (not a crash's
/// leftover, not a recycled PID now running something else), and stopping it by PID.
/// </summary>
public static class QemuProcess
{
    private const int SigTerm = 15;
    private const int SigKill = 9;

    /// <summary>
    /// The live command line of <paramref name="pid"/>, or null when no such process runs (a
    /// zombie counts as gone: a daemonized qemu's parent may not reap it at once).
    /// </summary>
    public static IReadOnlyList<string>? CommandLine(int pid)
    {
        if (pid <= 0)
        {
            return null;
        }

        if (OperatingSystem.IsLinux())
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                // "pid (comm) S ...": the state follows the last ')' (comm may hold anything).
                var state = stat[(stat.LastIndexOf(')') + 1)..].TrimStart();
                if (state.StartsWith('Z') || state.StartsWith('X'))
                {
                    return null;
                }

                return File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }

        var ps = ProcessRunner.Run(new ProcessSpec("ps", "-o", "stat=,command=", "-p", pid.ToString()));
        var line = ps.StandardOutput.Trim();
        if (!ps.Succeeded || line.Length == 0 || line.StartsWith('Z'))
        {
            return null;
        }

        return line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
    }

    /// <summary>Whether <paramref name="pid"/> runs <paramref name="qemu"/> with <paramref name="pidFile"/> (so: the instance we started).</summary>
    public static bool IsInstance(int pid, string qemu, string pidFile, out string why)
    {
        var command = CommandLine(pid);
        if (command is null || command.Count == 0)
        {
            why = $"PID {pid} is gone";
            return false;
        }

        if (Path.GetFileName(command[0]) != Path.GetFileName(qemu) || !command.Contains(pidFile))
        {
            why = $"PID {pid} now runs '{string.Join(' ', command.Take(3))}', not this emulator";
            return false;
        }

        why = "";
        return true;
    }

    /// <summary>SIGTERM (qemu exits cleanly on it), then SIGKILL if it is still there after <paramref name="grace"/>.</summary>
    public static void Stop(int pid, TimeSpan grace)
    {
        if (CommandLine(pid) is null)
        {
            return;
        }

        kill(pid, SigTerm);
        var deadline = DateTime.UtcNow + grace;
        while (DateTime.UtcNow < deadline)
        {
            if (CommandLine(pid) is null)
            {
                return;
            }

            Thread.Sleep(100);
        }

        kill(pid, SigKill);
        deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (CommandLine(pid) is not null && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(100);
        }

        if (CommandLine(pid) is not null)
        {
            throw new CrossboardException($"qemu (PID {pid}) did not exit after SIGKILL; stop it by hand: kill -9 {pid}");
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
