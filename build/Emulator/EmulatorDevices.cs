using Crossboard.Deploy;
using Crossboard.FastPath;
using Crossboard.Machine;
using Crossboard.Recipes;

namespace Crossboard.Emulator;

/// <summary>
/// The emulator as a deploy target (--device=emulator): which board emulates a build's board,
/// the running instance as a <see cref="DeviceTarget"/>, and starting it when it is not running.
/// </summary>
public static class EmulatorDevices
{
    /// <summary>What users type: --device=emulator.</summary>
    public const string DeviceName = "emulator";

    /// <summary>The user the image authorizes crossboard's deploy key for.</summary>
    public const string User = "root";

    /// <summary>
    /// The board whose emulator runs <paramref name="board"/>'s binaries: the board itself when its
    /// recipe has [emulator], otherwise one that has and shares its CPU (arch and OpenWrt arch),
    /// e.g. malta-le for omega2 and omega2p: a static mipsel_24kc binary runs on both.
    /// </summary>
    public static Board EmulatedBoardFor(Board board, IEnumerable<Board> boards)
    {
        if (board.Emulator is not null)
        {
            return board;
        }

        var candidates = boards.Where(b => b.Emulator is not null && b.Cpu.Arch == board.Cpu.Arch)
            .OrderBy(b => b.Name, StringComparer.Ordinal)
            .ToList();
        var match = candidates.FirstOrDefault(b => board.Openwrt is not null && b.Openwrt?.Arch == board.Openwrt.Arch)
            ?? candidates.FirstOrDefault(b => b.Cpu.Isa == board.Cpu.Isa);
        if (match is not null)
        {
            return match;
        }

        var emulated = boards.Where(b => b.Emulator is not null).Select(b => $"{b.Name} ({b.Cpu.Arch})").ToList();
        throw new CrossboardException(
            $"No board recipe emulates {board.Name}'s CPU ({board.Cpu.Core}, {board.Cpu.Arch}), so --device=emulator cannot run its binaries. " +
            (emulated.Count > 0 ? $"Emulated boards: {string.Join(", ", emulated)}. " : "") +
            "Deploy to the real board with --device=[user@]host[:port].");
    }

    /// <summary>
    /// The emulated device as a binary sees it: <paramref name="emulated"/>'s CPU running the
    /// image's userland, Debian's port for the CPU (glibc with its loader, Debian's float ABI),
    /// which runs static binaries of any libc as well. The recipe describes the real device
    /// (malta-le: an Omega2-class OpenWrt with musl); the emulated one is assembled from Debian's
    /// packages, so a binary linked dynamically against Debian's libraries runs there and not on
    /// the real board. Null when the board has no [emulator] or Debian has no port for its CPU.
    /// </summary>
    public static Board? DeviceView(Board emulated)
    {
        if (emulated.Emulator is null || CpuArchitectures.Find(emulated.Cpu.Arch) is not { DebianLoader: { } loader } arch)
        {
            return null;
        }

        return new Board
        {
            Name = $"{emulated.Name}'s emulated device",
            Description = $"{emulated.Description}: Debian {emulated.Emulator.DebianArch} userland (glibc)",
            Cpu = new CpuFacts
            {
                Soc = emulated.Cpu.Soc,
                Core = emulated.Cpu.Core,
                Arch = emulated.Cpu.Arch,
                Isa = emulated.Cpu.Isa,
                FloatAbi = arch.DebianFloatAbi,
                Fpu = emulated.Cpu.Fpu,
                ClockMhz = emulated.Cpu.ClockMhz,
            },
            Memory = emulated.Memory,
            System = new SystemFacts { Os = "debian", Libc = "gnu", Interpreter = loader, Init = emulated.System.Init },
            Openwrt = emulated.Openwrt,
            Rust = emulated.Rust,
            Toolchain = emulated.Toolchain,
            Deploy = emulated.Deploy,
            Emulator = emulated.Emulator,
            SourceFile = emulated.SourceFile,
        };
    }

    /// <summary>The running emulator of <paramref name="board"/> as a deploy target; a clear error when it is not running.</summary>
    public static DeviceTarget Target(string workDir, Board board) => Target(workDir, board.Name);

    public static DeviceTarget Target(string workDir, string board)
    {
        var status = new EmulatorMachine(NullLog.Instance, new Consent(false, false)).Status(board, workDir);
        if (status.State != EmulatorState.Running || status.Instance is not { SshPort: > 0 } instance)
        {
            var why = status.State == EmulatorState.NotRunning ? "" : $" ({status.Detail})";
            throw new CrossboardException(
                $"The emulated {board} is not running{why}. Start it with --target=EmulatorStart (Deploy starts it by itself).");
        }

        return Target(instance);
    }

    public static DeviceTarget Target(EmulatorInstance instance) => new(
        DeviceName,
        "127.0.0.1",
        instance.SshPort,
        User,
        [instance.DeployKey],
        instance.HostKeyFingerprint,
        null,
        new Dictionary<int, int> { [22] = instance.SshPort, [EmulatorInstance.DeviceAppPort] = instance.AppPort });

    /// <summary>
    /// The emulator of <paramref name="board"/> (an emulated board: see <see cref="EmulatedBoardFor"/>),
    /// started if it is not running: its image built or reused, qemu booted, SSH answering.
    /// </summary>
    public static DeviceTarget EnsureRunning(Board board, string workDir, Consent consent, IBuildLog log,
        EmulatorStartOptions? options = null, DeviceImageOptions? imageOptions = null)
    {
        var image = new DeviceImageBuilder(new DebianPackages(consent, log.Information) { Probes = ProbeCache.InWorkDir(workDir) }, log).Build(board, workDir, imageOptions);
        var instance = new EmulatorMachine(log, consent).Start(board, image, workDir, options);
        return Target(instance);
    }

    private sealed class NullLog : IBuildLog
    {
        public static readonly NullLog Instance = new();
        public void Information(string message) { }
        public void Verbose(string message) { }
        public void Warning(string message) { }
    }
}
