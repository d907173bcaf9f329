using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Crossboard.Machine;

namespace Crossboard.Tests.Fixtures.Ssh;

public enum SshServerKind
{
    /// <summary>OpenSSH's sshd (Debian's), as on Raspberry Pi OS.</summary>
    OpenSsh,
    /// <summary>dropbear, as on stock OpenWrt: no SFTP server unless asked for.</summary>
    Dropbear,
}

public sealed record DeviceServerOptions
{
    public SshServerKind Kind { get; init; } = SshServerKind.Dropbear;

    /// <summary>Serve SFTP (OpenSSH: the Subsystem line; dropbear: leave /usr/lib/sftp-server visible). Stock OpenWrt: false.</summary>
    public bool Sftp { get; init; }

    /// <summary>Put an scp program on the device (dropbear's scp on OpenWrt; here OpenSSH's, which speaks the same protocol as "scp -t").</summary>
    public bool Scp { get; init; }

    /// <summary>root's password; null locks password logins.</summary>
    public string? Password { get; init; }

    /// <summary>Public key lines root accepts (besides the fixture's own admin key).</summary>
    public IReadOnlyList<string> AuthorizedKeys { get; init; } = [];

    /// <summary>Mount a tmpfs of this many KiB at <see cref="DeviceServer.SmallDir"/> (a nearly full flash).</summary>
    public int? SmallFilesystemKb { get; init; }

    /// <summary>Host key type: ed25519, ecdsa or rsa.</summary>
    public string HostKeyType { get; init; } = "ed25519";

    /// <summary>OpenSSH only: a second host key of this type (real servers have several).</summary>
    public string? SecondHostKeyType { get; init; }

    /// <summary>
    /// The device's address: any of 127.0.0.0/8 (all loopback on Linux). Devices of a fleet test
    /// get different ones so that their apps can listen on the same port, as on real devices.
    /// The device's /etc/crossboard-address says it, for the test app.
    /// </summary>
    public string Address { get; init; } = "127.0.0.1";

    /// <summary>An OpenWrt-style init: /etc/rc.common, ubus and logread stand-ins for procd (see <see cref="ProcdStandIn"/>).</summary>
    public bool Procd { get; init; }

    /// <summary>
    /// A second login user (like a Pi's "pi"), uid 4242, accepting <see cref="AuthorizedKeys"/>;
    /// it cannot write /usr/bin. With <see cref="Sudo"/> it may sudo without a password (real sudo, with PAM).
    /// </summary>
    public string? LoginUser { get; init; }

    public bool Sudo { get; init; }

    /// <summary>
    /// An OpenWrt package database: each package's file list, as opkg keeps it in
    /// /usr/lib/opkg/info/PACKAGE.list (the device sees it through an overlay of /usr/lib; the
    /// files themselves are the test's to put there). The host's own dpkg database
    /// (/var/lib/dpkg/info) is the device's too: /usr/bin/scp, with <see cref="Scp"/>, is openssh-client's.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> OpkgPackages { get; init; } = new Dictionary<string, IReadOnlyList<string>>();
}

/// <summary>
/// A device for the deploy tests: a REAL OpenSSH sshd or dropbear on a free 127.0.0.1 port, run
/// in its own mount and pid namespaces so that its world looks like a small busybox device:
/// /usr/bin (and /bin) hold only busybox-static's applets (plus scp when asked), root's login
/// shell is busybox sh, /etc is the device's own, /tmp and /run are private tmpfs, and, when
/// asked, a small tmpfs stands for a nearly full flash. Killing the fixture's process kills the
/// namespace's init and with it everything on the "device" (a power cut). Needs root.
/// </summary>
public sealed class DeviceServer : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _unshareOutput = new();
    private bool _ownsRoot = true;

    private DeviceServer(DeviceServerOptions options, string root, Process process, int port)
    {
        Options = options;
        Root = root;
        _process = process;
        Port = port;
        HostKeyLine = string.Join(' ', File.ReadAllText(Path.Combine(root, "keys", "host.pub")).Trim().Split(' ').Take(2));
        var blob = Convert.FromBase64String(HostKeyLine.Split(' ')[1]);
        HostKeyFingerprint = "SHA256:" + Convert.ToBase64String(SHA256.HashData(blob)).TrimEnd('=');
    }

    public DeviceServerOptions Options { get; }

    /// <summary>The host folder holding the device's files (under /var/tmp: the device's own /tmp hides /tmp).</summary>
    public string Root { get; }

    public string Host => Options.Address;
    public int Port { get; }

    /// <summary>"ssh-ed25519 AAAA..." of the server's host key.</summary>
    public string HostKeyLine { get; }

    /// <summary>SHA256:... of the host key, as ssh-keygen -lf prints it.</summary>
    public string HostKeyFingerprint { get; }

    /// <summary>"ecdsa-sha2-nistp256 AAAA..." of the second host key, if asked for.</summary>
    public string? SecondHostKeyLine => File.Exists(Path.Combine(Root, "keys", "host2.pub"))
        ? string.Join(' ', File.ReadAllText(Path.Combine(Root, "keys", "host2.pub")).Trim().Split(' ').Take(2))
        : null;

    /// <summary>The device's /usr/bin, seen from the host (it survives a kill: the interrupted-upload test reads it).</summary>
    public string UsrBin => Path.Combine(Root, "usr-bin");

    /// <summary>The device's /etc, seen from the host.</summary>
    public string Etc => Path.Combine(Root, "etc");

    /// <summary>The small filesystem's mount point: the same path on the device and on the host (empty on the host).</summary>
    public string SmallDir => Path.Combine(Root, "small");

    /// <summary>The server's log (sshd -e / dropbear -E).</summary>
    public string LogFile => Path.Combine(Root, "server.log");

    /// <summary>A private key root accepts, for the tests' own look at the device (independent of the code under test).</summary>
    public string AdminKey => Path.Combine(Root, "keys", "admin");

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public static bool CanRun(out string why)
    {
        why = "";
        if (!OperatingSystem.IsLinux())
        {
            why = "needs Linux";
        }
        else if (Environment.UserName != "root")
        {
            why = "needs root (mount and pid namespaces for the device's filesystem view)";
        }
        else if (!File.Exists("/bin/busybox"))
        {
            why = "needs busybox-static (tests/setup/install-prereqs.sh installs it)";
        }
        else if (!File.Exists("/usr/sbin/sshd") || !File.Exists("/usr/sbin/dropbear"))
        {
            why = "needs openssh-server and dropbear-bin (tests/setup/install-prereqs.sh installs them)";
        }

        return why.Length == 0;
    }

    public static DeviceServer Start(DeviceServerOptions options)
    {
        var root = Path.Combine("/var/tmp", $"crossboard-device-{Guid.NewGuid():N}"[..36]);
        Directory.CreateDirectory(root);
        try
        {
            Prepare(options, root);
            return Launch(options, root);
        }
        catch
        {
            TryDelete(root);
            throw;
        }
    }

    /// <summary>Starts the same device again (same files, same host key; a new port) after <see cref="Kill"/>.</summary>
    public DeviceServer Restart()
    {
        Kill();
        _ownsRoot = false;
        return Launch(Options, Root);
    }

    /// <summary>SIGKILL: the namespace's init dies and every process on the device with it, mid-whatever.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }
    }

    /// <summary>
    /// Runs a command on the device through OpenSSH's own client with the admin key: the tests'
    /// independent view of the device.
    /// </summary>
    public ProcessResult Shell(string command)
    {
        var knownHosts = Path.Combine(Root, "keys", "known_hosts");
        File.WriteAllText(knownHosts, $"[{Host}]:{Port} {HostKeyLine}\n");
        var spec = new ProcessSpec("ssh",
            "-F", "/dev/null", "-i", AdminKey, "-p", Port.ToString(), "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
            "-o", "StrictHostKeyChecking=yes", "-o", $"UserKnownHostsFile={knownHosts}", "-o", "LogLevel=ERROR",
            $"root@{Host}", command)
        {
            Timeout = TimeSpan.FromSeconds(60),
        };
        return ProcessRunner.Run(spec);
    }

    /// <summary>A device path as the host can read it while the device runs (through its mount namespace).</summary>
    public string DevicePath(string devicePath)
    {
        var init = File.ReadAllText($"/proc/{_process.Id}/task/{_process.Id}/children").Trim().Split(' ')[0];
        return $"/proc/{init}/root{devicePath}";
    }

    public string ServerLog => File.Exists(LogFile) ? File.ReadAllText(LogFile) : "";

    public void Dispose()
    {
        try
        {
            Kill();
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
        if (_ownsRoot)
        {
            TryDelete(Root);
        }
    }

    /// <summary>Generates a key pair with ssh-keygen; returns the private key's path and the public line.</summary>
    public static (string PrivateKey, string PublicLine) GenerateKey(string dir, string name, string type = "ed25519", string? passphrase = null)
    {
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name);
        var args = new List<string> { "-q", "-t", type, "-N", passphrase ?? "", "-C", $"crossboard-test-{name}", "-f", path };
        if (type == "rsa")
        {
            args.AddRange(["-b", "2048"]);
        }

        ProcessRunner.RunChecked(new ProcessSpec("ssh-keygen", args.ToArray()), "ssh-keygen failed");
        return (path, File.ReadAllText(path + ".pub").Trim());
    }

    private static void Prepare(DeviceServerOptions options, string root)
    {
        var keys = Path.Combine(root, "keys");
        var etc = Path.Combine(root, "etc");
        var usrBin = Path.Combine(root, "usr-bin");
        var home = Path.Combine(root, "home");
        foreach (var dir in new[] { keys, etc, usrBin, Path.Combine(home, ".ssh"), Path.Combine(root, "small"), Path.Combine(etc, "init.d") })
        {
            Directory.CreateDirectory(dir);
        }

        // The device's userland: busybox-static and its applets, nothing else.
        File.Copy("/bin/busybox", Path.Combine(usrBin, "busybox"));
        var applets = ProcessRunner.RunChecked(new ProcessSpec("/bin/busybox", "--list"), "busybox --list failed").StandardOutput;
        foreach (var applet in applets.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (applet != "busybox")
            {
                File.CreateSymbolicLink(Path.Combine(usrBin, applet), "busybox");
            }
        }

        if (options.Procd)
        {
            ProcdStandIn.Install(etc, usrBin);
        }

        if (options.Scp)
        {
            File.Copy("/usr/bin/scp", Path.Combine(usrBin, "scp"));
        }

        // Host key, in the server's own format.
        if (options.Kind == SshServerKind.OpenSsh)
        {
            ProcessRunner.RunChecked(new ProcessSpec("ssh-keygen", "-q", "-t", options.HostKeyType, "-N", "", "-f", Path.Combine(keys, "host")), "ssh-keygen failed");
            if (options.SecondHostKeyType is { } second)
            {
                ProcessRunner.RunChecked(new ProcessSpec("ssh-keygen", "-q", "-t", second, "-N", "", "-f", Path.Combine(keys, "host2")), "ssh-keygen failed");
            }
        }
        else
        {
            var generated = ProcessRunner.RunChecked(
                new ProcessSpec("dropbearkey", "-t", options.HostKeyType, "-f", Path.Combine(keys, "host")), "dropbearkey failed").StandardOutput;
            var line = generated.Split('\n').First(l => l.StartsWith("ssh-", StringComparison.Ordinal) || l.StartsWith("ecdsa-", StringComparison.Ordinal));
            File.WriteAllText(Path.Combine(keys, "host.pub"), string.Join(' ', line.Split(' ').Take(2)) + "\n");
        }

        var (_, adminPublic) = GenerateKey(keys, "admin");
        File.WriteAllLines(Path.Combine(home, ".ssh", "authorized_keys"), [adminPublic, .. options.AuthorizedKeys]);
        Chmod(Path.Combine(home, ".ssh"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Chmod(Path.Combine(home, ".ssh", "authorized_keys"), UnixFileMode.UserRead | UnixFileMode.UserWrite);

        // The device's /etc: root logs in to busybox sh with its own home; the rest of the
        // accounts (sshd's privilege separation user) come from the host.
        var passwd = File.ReadAllLines("/etc/passwd").Where(l => !l.StartsWith("root:", StringComparison.Ordinal));
        var userLine = options.LoginUser is { } login ? new[] { $"{login}:x:4242:4242:{login}:{root}/home-{login}:/bin/sh" } : [];
        File.WriteAllLines(Path.Combine(etc, "passwd"), [$"root:x:0:0:root:{home}:/bin/sh", .. passwd, .. userLine]);
        var hash = options.Password is null ? "*" : CryptPassword(options.Password);
        var shadow = File.ReadAllLines("/etc/shadow").Where(l => !l.StartsWith("root:", StringComparison.Ordinal));
        var userShadow = options.LoginUser is { } shadowed ? new[] { $"{shadowed}:*:19000:0:99999:7:::" } : [];
        File.WriteAllLines(Path.Combine(etc, "shadow"), [$"root:{hash}:19000:0:99999:7:::", .. shadow, .. userShadow]);
        Chmod(Path.Combine(etc, "shadow"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        foreach (var file in new[] { "group", "nsswitch.conf", "ld.so.cache", "hosts" })
        {
            if (File.Exists($"/etc/{file}"))
            {
                File.Copy($"/etc/{file}", Path.Combine(etc, file));
            }
        }

        if (options.LoginUser is { } user)
        {
            AddUser(options, root, etc, usrBin, user);
        }

        foreach (var (package, files) in options.OpkgPackages)
        {
            var info = Path.Combine(root, "usr-lib-upper", "opkg", "info");
            Directory.CreateDirectory(info);
            File.WriteAllLines(Path.Combine(info, package + ".list"), files);
        }

        File.WriteAllText(Path.Combine(etc, "shells"), "/bin/sh\n/bin/ash\n");
        File.WriteAllText(Path.Combine(etc, "crossboard-address"), options.Address + "\n");
    }

    /// <summary>The second user: home with authorized_keys (owned by it, as sshd and dropbear insist), and sudo when asked.</summary>
    private static void AddUser(DeviceServerOptions options, string root, string etc, string usrBin, string user)
    {
        var home = Path.Combine(root, $"home-{user}");
        Directory.CreateDirectory(Path.Combine(home, ".ssh"));
        File.WriteAllLines(Path.Combine(home, ".ssh", "authorized_keys"), options.AuthorizedKeys);
        ProcessRunner.RunChecked(new ProcessSpec("chown", "-R", "4242:4242", home), "chown failed");
        Chmod(Path.Combine(home, ".ssh"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.AppendAllText(Path.Combine(etc, "group"), $"{user}:x:4242:\n");
        if (!options.Sudo)
        {
            return;
        }

        // Real sudo: the setuid binary on the device's path, its PAM stack and a sudoers rule.
        File.Copy("/usr/bin/sudo", Path.Combine(usrBin, "sudo"));
        Chmod(Path.Combine(usrBin, "sudo"), (UnixFileMode)0b100_111_101_101);
        foreach (var dir in new[] { "pam.d", "security" })
        {
            ProcessRunner.RunChecked(new ProcessSpec("cp", "-a", $"/etc/{dir}", Path.Combine(etc, dir)), $"copying /etc/{dir} failed");
        }

        foreach (var file in new[] { "sudo.conf", "login.defs", "environment" })
        {
            if (File.Exists($"/etc/{file}"))
            {
                File.Copy($"/etc/{file}", Path.Combine(etc, file));
            }
        }

        File.WriteAllText(Path.Combine(etc, "sudoers"), $"Defaults env_reset\nroot ALL=(ALL:ALL) ALL\n{user} ALL=(ALL:ALL) NOPASSWD: ALL\n");
        Chmod(Path.Combine(etc, "sudoers"), UnixFileMode.UserRead | UnixFileMode.GroupRead);
    }

    private static DeviceServer Launch(DeviceServerOptions options, string root)
    {
        Exception? last = null;
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var port = FreePort(options.Address);
            var process = StartProcess(options, root, port);
            var server = new DeviceServer(options, root, process, port) { _ownsRoot = false };
            try
            {
                server.WaitUntilListening(TimeSpan.FromSeconds(15));
                server._ownsRoot = true;
                return server;
            }
            catch (Exception ex) when (ex is IOException or TimeoutException)
            {
                // Another process may have taken the port between the probe and the bind: try another.
                last = ex;
                server.Dispose();
            }
        }

        throw new InvalidOperationException($"The {options.Kind} device did not start: {last?.Message}");
    }

    private static Process StartProcess(DeviceServerOptions options, string root, int port)
    {
        var script = new StringBuilder()
            .AppendLine($"exec >> '{root}/server.log' 2>&1")
            .AppendLine("set -e")
            .AppendLine("mount -t tmpfs -o mode=755,size=16m tmpfs /run")
            .AppendLine("mkdir -p /run/sshd")
            .AppendLine("mount -t tmpfs -o mode=1777,size=256m tmpfs /tmp")
            // No host tools beside busybox: dropbear's PATH includes /usr/local/bin.
            .AppendLine("mount -t tmpfs -o ro,size=4k tmpfs /usr/local");
        if (options.SmallFilesystemKb is { } kb)
        {
            script.AppendLine($"mount -t tmpfs -o size={kb}k,mode=755 tmpfs '{root}/small'");
        }

        if (options.Kind == SshServerKind.Dropbear && !options.Sftp)
        {
            // Debian's dropbear runs /usr/lib/sftp-server -> openssh/sftp-server: hide it, as on stock OpenWrt.
            script.AppendLine("mount -t tmpfs -o ro,size=4k tmpfs /usr/lib/openssh");
        }

        if (options.OpkgPackages.Count > 0)
        {
            // opkg's database at /usr/lib/opkg, on this device only: /usr/lib is the host's (the libraries dropbear and sshd load).
            script.AppendLine($"mkdir -p '{root}/usr-lib-work'");
            script.AppendLine($"mount -t overlay overlay -o 'lowerdir=/usr/lib,upperdir={root}/usr-lib-upper,workdir={root}/usr-lib-work' /usr/lib");
        }

        script.AppendLine($"mount --bind '{root}/etc' /etc");
        script.AppendLine($"mount --bind '{root}/usr-bin' /usr/bin");
        if (options.Kind == SshServerKind.OpenSsh)
        {
            var config = new StringBuilder()
                .AppendLine($"ListenAddress {options.Address}:{port}")
                .AppendLine($"HostKey {root}/keys/host")
                .AppendLine(options.SecondHostKeyType is null ? "" : $"HostKey {root}/keys/host2")
                .AppendLine("PidFile none")
                .AppendLine("UsePAM no")
                .AppendLine("PermitRootLogin yes")
                .AppendLine($"PasswordAuthentication {(options.Password is null ? "no" : "yes")}")
                .AppendLine("KbdInteractiveAuthentication no")
                .AppendLine("StrictModes no")
                .AppendLine("AuthorizedKeysFile .ssh/authorized_keys")
                .AppendLine("SetEnv PATH=/usr/bin:/bin:/usr/sbin:/sbin")
                .AppendLine("MaxStartups 100");
            if (options.Sftp)
            {
                config.AppendLine("Subsystem sftp /usr/lib/openssh/sftp-server");
            }

            File.WriteAllText(Path.Combine(root, "sshd_config"), config.ToString());
            script.AppendLine($"exec /usr/sbin/sshd -D -e -f '{root}/sshd_config'");
        }
        else
        {
            script.AppendLine($"exec /usr/sbin/dropbear -F -E -p {options.Address}:{port} -r '{root}/keys/host' -P /run/dropbear.pid");
        }

        File.WriteAllText(Path.Combine(root, "start.sh"), script.ToString());
        var info = new ProcessStartInfo("unshare")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var arg in new[] { "--pid", "--fork", "--kill-child", "--mount", "--propagation", "private", "--mount-proc", "/bin/sh", Path.Combine(root, "start.sh") })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                File.AppendAllText(Path.Combine(root, "server.log"), e.Data + "\n");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void WaitUntilListening(TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new IOException($"{Options.Kind} exited at start (code {_process.ExitCode}): {ServerLog}");
            }

            try
            {
                using var client = new TcpClient();
                client.Connect(Host, Port);
                using var stream = client.GetStream();
                stream.ReadTimeout = 2000;
                var buffer = new byte[64];
                var read = stream.Read(buffer, 0, buffer.Length);
                if (read > 4 && Encoding.ASCII.GetString(buffer, 0, read).StartsWith("SSH-", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (SocketException)
            {
            }
            catch (IOException)
            {
            }

            Thread.Sleep(50);
        }

        throw new TimeoutException($"{Options.Kind} did not answer on port {Port} within {timeout.TotalSeconds:0} s: {ServerLog}");
    }

    public static int FreePort(string address = "127.0.0.1")
    {
        using var listener = new TcpListener(IPAddress.Parse(address), 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A SHA-512 crypt(3) hash, made by busybox's mkpasswd from standard input (not its arguments).</summary>
    private static string CryptPassword(string password)
    {
        var result = ProcessRunner.RunChecked(new ProcessSpec("/bin/busybox", "mkpasswd", "-m", "sha512") { StandardInput = password }, "mkpasswd failed");
        return result.StandardOutput.Trim();
    }

    private static void Chmod(string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsLinux())
        {
            File.SetUnixFileMode(path, mode);
        }
    }

    private static void TryDelete(string root)
    {
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
