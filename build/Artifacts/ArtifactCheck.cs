using System.Globalization;
using Crossboard.Machine;
using Crossboard.Recipes;

namespace Crossboard.Artifacts;

/// <summary>
/// What the check found: reasons the board cannot run the binary (refusals), risks worth acting on
/// (warnings), facts worth knowing (notes), and one summary line.
/// </summary>
public sealed record ArtifactVerdict(ElfFile Elf, IReadOnlyList<string> Refusals, IReadOnlyList<string> Warnings, IReadOnlyList<string> Notes, string Summary)
{
    public bool Fits => Refusals.Count == 0;
}

/// <summary>
/// Proves a binary fits the board before anything is deployed: the ELF's class, byte order and
/// machine against the CPU, its ISA (MIPS e_flags/ABI flags, ARM Tag_CPU_arch) against the
/// oldest the board runs, its float ABI against the userland's, its loader against the device's
/// libc, and its size against the board's app budget. Each refusal says why and what to do.
/// </summary>
public static class ArtifactCheck
{
    /// <summary>Above this share of the budget, a warning: the next feature may not fit.</summary>
    private const double BudgetWarningShare = 0.8;

    /// <summary>Checks and returns the verdict; throws a <see cref="CrossboardException"/> listing every refusal.</summary>
    public static ArtifactVerdict Require(string path, Board board, IBuildLog log)
    {
        var verdict = Check(path, board);
        foreach (var warning in verdict.Warnings)
        {
            log.Warning(warning);
        }

        foreach (var note in verdict.Notes)
        {
            log.Information("Note: " + note);
        }

        if (!verdict.Fits)
        {
            throw new CrossboardException(
                $"{path} cannot run on {board.Name} ({board.Cpu.Core}, {board.System.Os} with {LibcName(board.System.Libc)}):" + Environment.NewLine +
                string.Join(Environment.NewLine, verdict.Refusals.Select(r => "  - " + r)) + Environment.NewLine +
                "Nothing was deployed.");
        }

        return verdict;
    }

    /// <summary>
    /// The board <paramref name="path"/> is to be checked against: <paramref name="board"/>, or,
    /// when the deploy goes to the board's emulated device, that device as binaries see it if the
    /// binary fits it and not the board (linked dynamically against Debian's libraries).
    /// </summary>
    public static Board CheckedAgainst(string path, Board board, Board? emulatedDevice) =>
        emulatedDevice is not null && !Check(path, board).Fits && Check(path, emulatedDevice).Fits ? emulatedDevice : board;

    /// <param name="againstBudget">Whether the size counts against the board's app budget (not for test binaries, which run from a scratch folder and are gone afterwards).</param>
    public static ArtifactVerdict Check(string path, Board board, bool againstBudget = true)
    {
        ElfFile elf;
        try
        {
            elf = ElfFile.Read(path);
        }
        catch (ElfFormatException ex)
        {
            // Not a program at all (a text file, a script, an archive): nothing to compare with the board.
            throw new CrossboardException(
                $"The artifact check cannot read the binary: {ex.Message}." + Environment.NewLine +
                $"Deploy installs a program built for {board.Name} ({board.Cpu.Arch} {board.System.Libc}): the cargo stage's output, or an ELF executable built elsewhere given with --artifact=FILE. " +
                "Nothing was deployed.");
        }

        var refusals = new List<string>();
        var warnings = new List<string>();
        var notes = new List<string>();
        CheckType(elf, refusals);
        var machineFits = CheckMachine(elf, board, refusals, warnings);
        if (machineFits)
        {
            // Only a binary for the right CPU has an ISA, float ABI and loader worth comparing.
            CheckIsa(elf, board, refusals, warnings);
            CheckFloatAbi(elf, board, refusals, notes);
            CheckLoader(elf, board, refusals);
        }

        if (againstBudget)
        {
            CheckSize(elf, board, refusals, warnings);
        }

        return new ArtifactVerdict(elf, refusals, warnings, notes, Summarize(elf, board));
    }

    /// <summary>One line: size (and share of the budget), the ELF's arch, ISA and float ABI, linkage.</summary>
    public static string Summarize(ElfFile elf, Board board)
    {
        var budget = board.Memory.AppBudgetKb * 1024L;
        var share = budget > 0 ? $" ({(100.0 * elf.FileSize / budget).ToString("0.#", CultureInfo.InvariantCulture)}% of {board.Name}'s {board.Memory.AppBudgetKb} KiB budget)" : "";
        var parts = new List<string> { $"ELF{elf.Bits} {(elf.LittleEndian ? "little-endian" : "big-endian")} {elf.MachineName}" };
        if (IsaText(elf) is { } isa)
        {
            parts.Add(isa);
        }

        if (FloatText(elf) is { } floatAbi)
        {
            parts.Add(floatAbi);
        }

        return $"{Path.GetFileName(elf.Path)}: {ProgressLine.Size(elf.FileSize)}{share}, {string.Join(' ', parts)}, {Linkage(elf)}";
    }

    public static string Linkage(ElfFile elf) => elf switch
    {
        { IsStaticPie: true } => "static-pie (no loader: runs on any libc)",
        { IsStatic: true } => "static (no loader: runs on any libc)",
        _ => $"dynamic ({elf.Interpreter ?? "no loader"}{(elf.Needed.Count > 0 ? "; needs " + string.Join(", ", elf.Needed) : "")})",
    };

    private static void CheckType(ElfFile elf, List<string> refusals)
    {
        switch (elf.Type)
        {
            case 2:
                return;
            case 3 when elf.IsExecutable:
                return;
            case 3:
                refusals.Add($"it is a shared library (ET_DYN without a loader: needs {string.Join(", ", elf.Needed.DefaultIfEmpty("nothing"))}), not a program; build a [[bin]] target.");
                return;
            case 1:
                refusals.Add("it is an object file (ET_REL), not a linked program.");
                return;
            default:
                refusals.Add($"it is not an executable (ELF type {elf.Type}).");
                return;
        }
    }

    /// <summary>The ELF machine, class and byte order each board arch needs.</summary>
    private static (ushort Machine, int Bits, bool Little)? Expected(string arch) =>
        CpuArchitectures.Find(arch) is { } a ? (a.ElfMachine, a.Bits, a.LittleEndian) : null;

    private static bool CheckMachine(ElfFile elf, Board board, List<string> refusals, List<string> warnings)
    {
        var arch = board.Cpu.Arch;
        if (Expected(arch) is not { } want)
        {
            warnings.Add($"The artifact check does not know the CPU arch '{arch}' of {board.Name}; machine and byte order were not checked.");
            return false;
        }

        var what = $"{board.Name}'s {board.Cpu.Core} ({arch})";
        if (elf.Machine != want.Machine)
        {
            refusals.Add($"it is built for {elf.MachineName}, but {what} needs {ElfFile.NameOf(want.Machine)}: build for one of the board's Rust targets ({string.Join(", ", board.Rust.Targets)}).");
            return false;
        }

        if (elf.LittleEndian != want.Little)
        {
            refusals.Add($"it is a {(elf.LittleEndian ? "little" : "big")}-endian {elf.MachineName} binary, but {what} is {(want.Little ? "little" : "big")}-endian: " +
                $"it would not even start (exec format error). Build for {string.Join(" or ", board.Rust.Targets)}.");
            return false;
        }

        if (elf.Bits != want.Bits)
        {
            refusals.Add($"it is a {elf.Bits}-bit binary, but {what} runs {want.Bits}-bit programs: build for {string.Join(" or ", board.Rust.Targets)}.");
            return false;
        }

        return true;
    }

    private static void CheckIsa(ElfFile elf, Board board, List<string> refusals, List<string> warnings)
    {
        var isa = board.Cpu.Isa.ToLowerInvariant();
        if (elf.Machine == ElfFile.MachineMips && elf.Bits == 32)
        {
            var (level, revision) = MipsIsa(elf);
            var name = MipsIsaName(level, revision);
            if (!TryParseMipsIsa(isa, out var boardLevel, out var boardRevision))
            {
                warnings.Add($"{board.Name}'s cpu.isa '{board.Cpu.Isa}' is not a MIPS ISA the check knows (mips32, mips32r2, ...); the binary's {name} was not compared.");
                return;
            }

            var fits = level switch
            {
                1 or 2 => true,
                32 => revision <= boardRevision && (revision == 6) == (boardRevision == 6),
                _ => false,
            };
            if (!fits)
            {
                refusals.Add($"it needs {name} instructions, but {board.Name}'s {board.Cpu.Core} implements {MipsIsaName(boardLevel, boardRevision)}: " +
                    "it would die with 'Illegal instruction'. Build with a toolchain for the board's ISA (its default toolchain does).");
            }
        }
        else if (elf.Machine == ElfFile.MachineArm)
        {
            if (elf.ArmAttributes?.CpuArch is not { } arch)
            {
                warnings.Add("The binary has no ARM build attributes (Tag_CPU_arch); its instruction set was not compared with the board's.");
                return;
            }

            if (!ArmAllowed.TryGetValue(isa, out var allowed))
            {
                warnings.Add($"{board.Name}'s cpu.isa '{board.Cpu.Isa}' is not an ARM ISA the check knows (armv5te, armv6, armv7-a, armv8-a); the binary's ARM{ArmAttributes.CpuArchName(arch)} was not compared.");
                return;
            }

            if (!allowed.Contains(arch))
            {
                var hint = isa == "armv6"
                    ? " Debian's armhf toolchain targets ARMv7; for ARMv6 use arm-unknown-linux-gnueabihf or arm-unknown-linux-musleabihf with an ARMv6 toolchain (the board's openwrt ones)."
                    : " Build with the board's toolchain and Rust target.";
                refusals.Add($"it needs ARM{ArmAttributes.CpuArchName(arch)} (Tag_CPU_arch {arch}), but {board.Name}'s {board.Cpu.Core} is {board.Cpu.Isa}: " +
                    "it would die with 'Illegal instruction'." + hint);
            }
        }
    }

    /// <summary>Tag_CPU_arch values each board ISA runs: v6KZ is the ARM1176's own, v6T2 (Thumb-2) is not in it.</summary>
    private static readonly Dictionary<string, int[]> ArmAllowed = new()
    {
        ["armv5te"] = [0, 1, 2, 3, 4, 5],
        ["armv6"] = [0, 1, 2, 3, 4, 5, 6, 7, 9],
        ["armv6k"] = [0, 1, 2, 3, 4, 5, 6, 7, 9],
        ["armv7-a"] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        ["armv8-a"] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14],
    };

    /// <summary>The binary's MIPS ISA: the ABI flags when present (level, revision), else e_flags' EF_MIPS_ARCH.</summary>
    private static (int Level, int Revision) MipsIsa(ElfFile elf)
    {
        if (elf.MipsAbi is { IsaLevel: > 0 } abi)
        {
            return (abi.IsaLevel, abi.IsaRevision);
        }

        return (elf.Flags >> 28) switch
        {
            0 => (1, 0),
            1 => (2, 0),
            2 => (3, 0),
            3 => (4, 0),
            4 => (5, 0),
            5 => (32, 1),
            6 => (64, 1),
            7 => (32, 2),
            8 => (64, 2),
            9 => (32, 6),
            10 => (64, 6),
            var other => (100 + (int)other, 0),
        };
    }

    private static string MipsIsaName(int level, int revision) => level switch
    {
        <= 5 => $"mips{level}",
        32 or 64 => revision <= 1 ? $"mips{level}" : $"mips{level}r{revision}",
        _ => $"an unknown MIPS ISA ({level})",
    };

    private static bool TryParseMipsIsa(string isa, out int level, out int revision)
    {
        level = revision = 0;
        if (isa is "mips1" or "mips2")
        {
            level = isa[4] - '0';
            return true;
        }

        if (!isa.StartsWith("mips32", StringComparison.Ordinal))
        {
            return false;
        }

        level = 32;
        var rest = isa[6..];
        revision = rest.Length == 0 ? 1 : rest.StartsWith('r') && int.TryParse(rest[1..], out var r) ? r : -1;
        return revision > 0;
    }

    private static void CheckFloatAbi(ElfFile elf, Board board, List<string> refusals, List<string> notes)
    {
        var boardFloat = board.Cpu.FloatAbi.ToLowerInvariant();
        string? binaryFloat = elf.Machine switch
        {
            ElfFile.MachineMips => elf.MipsAbi is { FpAbi: > 0 } abi ? (abi.SoftFloat ? "soft" : "hard") : null,
            ElfFile.MachineArm => elf.ArmFloatAbi,
            _ => null,
        };
        if (binaryFloat is null || binaryFloat == boardFloat)
        {
            return;
        }

        if (!elf.IsStatic)
        {
            refusals.Add($"it uses the {binaryFloat}-float ABI, but {board.Name}'s userland is {boardFloat}-float: its shared libraries and loader " +
                $"({board.System.Interpreter}) do not fit it. Link statically, or use a toolchain for the board's float ABI.");
            return;
        }

        if (binaryFloat == "hard" && !board.Cpu.Fpu)
        {
            if (elf.Machine == ElfFile.MachineMips)
            {
                notes.Add($"{Path.GetFileName(elf.Path)} is hard-float and {board.Name}'s {board.Cpu.Core} has no FPU: floating-point instructions trap to the kernel's " +
                    "FPU emulator (slow; the kernel needs CONFIG_MIPS_FP_SUPPORT). A soft-float build (a musl toolchain: openwrt-*) avoids that.");
            }
            else
            {
                refusals.Add($"it is hard-float (VFP instructions), and {board.Name}'s {board.Cpu.Core} has no FPU: build for the soft-float ABI.");
            }
        }
    }

    private static void CheckLoader(ElfFile elf, Board board, List<string> refusals)
    {
        if (elf.IsStatic || elf.Type == 1)
        {
            return;
        }

        var loader = elf.Interpreter;
        var boardLibc = board.System.Libc;
        var binaryLibc = loader is null ? null : LibcOfLoader(loader);
        var deviceLoader = board.System.Interpreter;
        if (loader is null)
        {
            return;
        }

        if (binaryLibc is not null && binaryLibc != boardLibc)
        {
            refusals.Add($"it is linked dynamically against {LibcName(binaryLibc)} (loader {loader}), but {board.Name} runs {LibcName(boardLibc)}" +
                (deviceLoader.Length > 0 ? $" (loader {deviceLoader})" : "") +
                ": starting it would fail with 'not found'. Link it statically (-C target-feature=+crt-static; crossboard does so when the toolchain's libc differs from the device's) " +
                $"or build with a {LibcName(boardLibc)} toolchain.");
            return;
        }

        if (deviceLoader.Length > 0 && loader != deviceLoader)
        {
            refusals.Add($"it asks for the loader {loader}, but {board.Name}'s is {deviceLoader} (system.interpreter): starting it would fail with 'not found'. " +
                "Build with a toolchain for the board's libc and float ABI, or link statically.");
        }
    }

    private static void CheckSize(ElfFile elf, Board board, List<string> refusals, List<string> warnings)
    {
        var budgetKb = board.Memory.AppBudgetKb;
        if (budgetKb <= 0)
        {
            return;
        }

        var budget = budgetKb * 1024L;
        var advice = "The size profile (--size-profile=true: strip, LTO, opt-level=z, panic=abort" +
            (board.Rust.SizeProfile ? ", on by default for this board" : "") + ") and fewer dependencies and features make it smaller";
        if (elf.FileSize > budget)
        {
            refusals.Add($"it is {ProgressLine.Size(elf.FileSize)}, over {board.Name}'s app budget of {budgetKb} KiB (memory.app-budget-kb; {FlashText(board)}). {advice}.");
        }
        else if (elf.FileSize > budget * BudgetWarningShare)
        {
            warnings.Add($"{Path.GetFileName(elf.Path)} takes {100.0 * elf.FileSize / budget:0}% of {board.Name}'s app budget ({ProgressLine.Size(elf.FileSize)} of {budgetKb} KiB). {advice}.");
        }
    }

    private static string FlashText(Board board) =>
        board.Memory.FlashMb > 0 ? $"{board.Memory.FlashMb} MB of flash" : $"storage: {board.Memory.Storage}";

    /// <summary>musl, gnu or uclibc from the loader's name (ld-musl-*, ld-linux*/ld.so.1/ld64.so.*, ld-uClibc*).</summary>
    public static string? LibcOfLoader(string loader)
    {
        var name = Path.GetFileName(loader);
        return name switch
        {
            _ when name.StartsWith("ld-musl", StringComparison.Ordinal) => "musl",
            _ when name.StartsWith("ld-uClibc", StringComparison.Ordinal) => "uclibc",
            _ when name.StartsWith("ld-linux", StringComparison.Ordinal) || name.StartsWith("ld.so", StringComparison.Ordinal) || name.StartsWith("ld64.so", StringComparison.Ordinal) => "gnu",
            _ => null,
        };
    }

    private static string LibcName(string libc) => libc switch
    {
        "gnu" => "glibc",
        "uclibc" => "uClibc",
        _ => libc,
    };

    private static string? IsaText(ElfFile elf)
    {
        if (elf.Machine == ElfFile.MachineMips && elf.Bits == 32)
        {
            var (level, revision) = MipsIsa(elf);
            return MipsIsaName(level, revision);
        }

        return elf.ArmAttributes?.CpuArchText;
    }

    private static string? FloatText(ElfFile elf) => elf.Machine switch
    {
        ElfFile.MachineMips => elf.MipsAbi?.FpAbiName,
        ElfFile.MachineArm => elf.ArmFloatAbi is { } abi ? abi + "-float" : null,
        _ => null,
    };
}
