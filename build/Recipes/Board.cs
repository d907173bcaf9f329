using Tomlyn.Serialization;

namespace Crossboard.Recipes;

/// <summary>One board, as <c>recipes/&lt;name&gt;.toml</c> describes it. Data only.</summary>
public sealed class Board
{
    [TomlRequired] public string Name { get; init; } = "";
    [TomlRequired] public string Description { get; init; } = "";
    [TomlRequired] public CpuFacts Cpu { get; init; } = new();
    [TomlRequired] public MemoryFacts Memory { get; init; } = new();
    [TomlRequired] public SystemFacts System { get; init; } = new();
    public OpenWrtSymbols? Openwrt { get; init; }
    [TomlRequired] public RustSettings Rust { get; init; } = new();
    [TomlRequired] public ToolchainChoice Toolchain { get; init; } = new();
    [TomlRequired] public DeployDefaults Deploy { get; init; } = new();
    public EmulatorSettings? Emulator { get; init; }

    /// <summary>The file the board came from (not a TOML key).</summary>
    [TomlIgnore] public string SourceFile { get; set; } = "";
}

public sealed class CpuFacts
{
    public string Soc { get; init; } = "";
    [TomlRequired] public string Core { get; init; } = "";
    /// <summary>mips, mipsel, arm or aarch64: decides the ELF machine and byte order a binary must have.</summary>
    [TomlRequired] public string Arch { get; init; } = "";
    /// <summary>mips32r2, armv6, armv7-a, armv8-a: the oldest ISA a binary may require.</summary>
    [TomlRequired] public string Isa { get; init; } = "";
    /// <summary>soft or hard: the float ABI of the device's userland.</summary>
    [TomlRequired] public string FloatAbi { get; init; } = "";
    public bool Fpu { get; init; }
    public int ClockMhz { get; init; }
}

public sealed class MemoryFacts
{
    [TomlRequired] public int RamMb { get; init; }
    /// <summary>On-board flash; 0 when storage is something else (see <see cref="Storage"/>).</summary>
    public int FlashMb { get; init; }
    /// <summary>What holds the root filesystem when it is not on-board flash: "SD card", "RAM disk".</summary>
    public string Storage { get; init; } = "flash";
    /// <summary>How much of the device's storage one application binary may take.</summary>
    [TomlRequired] public int AppBudgetKb { get; init; }
}

public sealed class SystemFacts
{
    /// <summary>openwrt, raspberry-pi-os or debian.</summary>
    [TomlRequired] public string Os { get; init; } = "";
    /// <summary>musl or gnu: the device's C library; a dynamic binary must match it.</summary>
    [TomlRequired] public string Libc { get; init; } = "";
    /// <summary>The dynamic loader the device has, e.g. /lib/ld-musl-mipsel-sf.so.1.</summary>
    public string Interpreter { get; init; } = "";
    /// <summary>procd, systemd or none.</summary>
    [TomlRequired] public string Init { get; init; } = "";
}

public sealed class OpenWrtSymbols
{
    [TomlRequired] public string Target { get; init; } = "";
    [TomlRequired] public string Subtarget { get; init; } = "";
    /// <summary>The device symbol (CONFIG_TARGET_&lt;t&gt;_&lt;s&gt;_DEVICE_&lt;device&gt;); or use Profile.</summary>
    public string Device { get; init; } = "";
    /// <summary>A profile (CONFIG_TARGET_&lt;t&gt;_&lt;s&gt;_&lt;profile&gt;) for targets without devices, e.g. malta's Default.</summary>
    public string Profile { get; init; } = "";
    /// <summary>OpenWrt's package arch, e.g. mipsel_24kc: boards with the same one share a toolchain.</summary>
    [TomlRequired] public string Arch { get; init; } = "";
    /// <summary>Extra seed lines, e.g. CONFIG_TARGET_ROOTFS_INITRAMFS=y.</summary>
    public List<string> Config { get; init; } = new();
}

public sealed class RustSettings
{
    /// <summary>The triples that fit the board, one per libc; the toolchain's libc picks one.</summary>
    [TomlRequired] public List<string> Targets { get; init; } = new();
    /// <summary>Strip, LTO, opt-level z, panic=abort by default (small flash).</summary>
    public bool SizeProfile { get; init; }
    public List<string> Rustflags { get; init; } = new();
}

public sealed class ToolchainChoice
{
    [TomlRequired] public string Default { get; init; } = "";
    [TomlRequired] public List<string> Allowed { get; init; } = new();
}

public sealed class DeployDefaults
{
    [TomlRequired] public string User { get; init; } = "";
    public int Port { get; init; } = 22;
    /// <summary>The directory the app's binary is installed into on the device.</summary>
    [TomlRequired] public string InstallDir { get; init; } = "";
    /// <summary>procd or systemd (a service, restarted on deploy), background (started detached), or none (Run starts it).</summary>
    [TomlRequired] public string Service { get; init; } = "";
    /// <summary>The smoke check after deploy, e.g. "http://{host}:{port:8000}/text".</summary>
    public string SmokeUrl { get; init; } = "";
    public string SmokeExpect { get; init; } = "";
}

public sealed class EmulatorSettings
{
    [TomlRequired] public string Qemu { get; init; } = "";
    [TomlRequired] public string Machine { get; init; } = "";
    [TomlRequired] public string Cpu { get; init; } = "";
    [TomlRequired] public int MemoryMb { get; init; }
    /// <summary>The Debian architecture whose packages make the device image.</summary>
    [TomlRequired] public string DebianArch { get; init; } = "";
    /// <summary>The Debian kernel flavour, e.g. 4kc-malta (package linux-image-*-4kc-malta).</summary>
    [TomlRequired] public string KernelFlavour { get; init; } = "";
    /// <summary>The qemu NIC model and the kernel modules it needs, loaded in this order.</summary>
    [TomlRequired] public string Nic { get; init; } = "";
    public List<string> NicModules { get; init; } = new();
    /// <summary>Add sftp-server and scp to the image (stock OpenWrt has neither).</summary>
    public bool Sftp { get; init; }
    public int BootTimeoutSeconds { get; init; } = 180;
}
