namespace Crossboard.Emulator;

/// <summary>
/// Where one emulated board's files live in the work dir:
/// <code>
/// &lt;work-dir&gt;/emulator/&lt;board&gt;/
///   keys/ssh_host_ed25519_key(.pub)   the device's host key, made once (deploy pins its fingerprint)
///   image/                            vmlinuz, initramfs.cpio.gz, image.json (with the stamp)
///   instance.json                     the running qemu: PID, ports, host-key fingerprint
///   console.log, qemu.log, qemu.pid   the serial console, qemu's own messages, its PID file
/// &lt;work-dir&gt;/emulator/packages/&lt;arch&gt;/&lt;name&gt;_&lt;version&gt;/   Debian packages, unpacked once
/// &lt;work-dir&gt;/emulator/packages/&lt;arch&gt;/resolved-*.json          versions resolved, with apt's index state then
/// </code>
/// </summary>
public sealed record EmulatorPaths(string WorkDir, string Board)
{
    public string Root => Path.Combine(WorkDir, "emulator", Board);
    public string KeysDir => Path.Combine(Root, "keys");
    public string HostKey => Path.Combine(KeysDir, "ssh_host_ed25519_key");
    public string ImageDir => Path.Combine(Root, "image");
    public string StateFile => Path.Combine(Root, "instance.json");
    public string ConsoleLog => Path.Combine(Root, "console.log");
    public string QemuLog => Path.Combine(Root, "qemu.log");
    public string PidFile => Path.Combine(Root, "qemu.pid");

    public static string PackageCache(string workDir, string debianArch) => Path.Combine(workDir, "emulator", "packages", debianArch);
}
