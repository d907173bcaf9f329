using Crossboard.FastPath;

namespace Crossboard.Machine;

/// <summary>
/// Debian/Ubuntu packages: what is missing, installing it (with consent), adding a foreign
/// architecture, and downloading a package's .deb without installing it (e.g. another arch's
/// Rust std rlibs, the emulated device's kernel).
/// </summary>
public sealed class DebianPackages(Consent consent, Action<string> log)
{
    // Another apt run (unattended-upgrades, a parallel crossboard) holds dpkg's lock: wait, don't fail.
    private static readonly string[] LockWait = ["-o", "DPkg::Lock::Timeout=600"];

    public static bool IsAvailable => File.Exists("/usr/bin/dpkg-query") && File.Exists("/usr/bin/apt-get");

    private static bool IsRoot => Environment.UserName == "root" || (OperatingSystem.IsLinux() && geteuid() == 0);

    public IReadOnlyList<string> Missing(IEnumerable<string> packages)
    {
        var wanted = packages.Distinct().ToList();
        lock (_installed)
        {
            var unknown = wanted.Where(p => !_installed.Contains(p)).ToList();
            if (unknown.Count == 0)
            {
                return [];
            }

            // One dpkg-query for all when all are installed (every run but the first); asked one by
            // one only to tell which are missing.
            if (AllInstalledCached(unknown))
            {
                _installed.UnionWith(unknown);
                return [];
            }

            var missing = unknown.Where(p => !IsInstalled(p)).ToList();
            _installed.UnionWith(unknown.Except(missing));
            return missing;
        }
    }

    /// <summary>
    /// Where answers of "are these installed" and "is this architecture added" are kept across
    /// runs (null: asked every time). An answer is reused while dpkg's database is unchanged:
    /// every install, upgrade and removal rewrites /var/lib/dpkg/status. Only yes is kept.
    /// </summary>
    public ProbeCache? Probes { get; init; }

    // Packages seen installed by this instance (they do not go away during a run).
    private readonly HashSet<string> _installed = new(StringComparer.Ordinal);

    private bool AllInstalledCached(IReadOnlyList<string> packages)
    {
        if (Probes is null)
        {
            return AllInstalled(packages);
        }

        var question = $"dpkg-query installed {string.Join(' ', packages.Order(StringComparer.Ordinal))} {ProbeCache.DpkgEnvironment}";
        return Probes.GetOrProbe(question, () => AllInstalled(packages) ? new ProbeAnswer("yes", ProbeCache.DpkgDatabase) : null) == "yes";
    }

    /// <summary>
    /// True only when dpkg-query says "install ok installed" exactly once per package: a missing
    /// one fails the query, and a name installed for two architectures answers twice (then the
    /// packages are asked about one by one).
    /// </summary>
    private static bool AllInstalled(IReadOnlyList<string> packages)
    {
        var result = ProcessRunner.Run(new ProcessSpec("dpkg-query", ["-W", "-f=${Status}\n", .. packages]));
        var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return result.Succeeded && lines.Length == packages.Count && lines.All(l => l.Trim() == "install ok installed");
    }

    public static bool IsInstalled(string package)
    {
        var result = ProcessRunner.Run(new ProcessSpec("dpkg-query", "-W", "-f=${Status}", package));
        return result.Succeeded && result.StandardOutput.Contains("install ok installed");
    }

    /// <summary>Installs whatever of <paramref name="packages"/> is missing, after asking.</summary>
    public void Ensure(IReadOnlyCollection<string> packages, string purpose)
    {
        var missing = Missing(packages);
        if (missing.Count == 0)
        {
            return;
        }

        var command = $"{(IsRoot ? "" : "sudo ")}apt-get install -y {string.Join(' ', missing)}";
        if (!IsAvailable)
        {
            throw new CrossboardException($"{purpose} needs the Debian packages {string.Join(", ", missing)}, and this is not a Debian/Ubuntu machine. Use --docker, or another toolchain (--target=Doctor).");
        }

        if (!consent.Ask($"{purpose} needs {string.Join(", ", missing)}. Install now ({command})?"))
        {
            throw new CrossboardException($"{purpose} needs packages that are not installed. Run:{Environment.NewLine}  {command}{Environment.NewLine}or run again with --yes to let crossboard install them.");
        }

        log($"Installing {string.Join(", ", missing)} for {purpose}");
        Apt(["install", "-y", "--no-install-recommends", .. missing], $"Installing {string.Join(", ", missing)} failed", updateFirst: true);
    }

    /// <summary>Adds a foreign architecture (mipsel, armhf, arm64) so its packages can be downloaded.</summary>
    public void EnsureArchitecture(string arch)
    {
        if (HasArchitecture(arch))
        {
            return;
        }

        if (!consent.Ask($"Add Debian architecture {arch} (dpkg --add-architecture {arch}) to download its packages?"))
        {
            throw new CrossboardException($"Packages for {arch} are needed. Run:{Environment.NewLine}  {Sudo}dpkg --add-architecture {arch} && {Sudo}apt-get update{Environment.NewLine}or run again with --yes.");
        }

        AddArchitectures([arch]);
        Update();
    }

    /// <summary>
    /// Whether dpkg knows <paramref name="arch"/>, read from its database's arch file (the native
    /// architecture first, then the foreign ones added) without starting dpkg.
    /// </summary>
    public static bool HasArchitecture(string arch)
    {
        var admin = Environment.GetEnvironmentVariable("DPKG_ADMINDIR") is { Length: > 0 } dir ? dir : "/var/lib/dpkg";
        var file = Path.Combine(admin, "arch");
        try
        {
            if (File.Exists(file))
            {
                return File.ReadLines(file).Any(l => l.Trim() == arch);
            }
        }
        catch (IOException)
        {
            // Unreadable: as if there were no file.
        }

        // dpkg writes the file when the first foreign architecture is added: until then, only its own.
        return NativeArchitecture == arch;
    }

    /// <summary>dpkg's name for this machine's own architecture.</summary>
    public static string NativeArchitecture => System.Runtime.InteropServices.RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.X86 => "i386",
        System.Runtime.InteropServices.Architecture.Arm => "armhf",
        var other => other.ToString().ToLowerInvariant(),
    };

    /// <summary>dpkg --add-architecture, for each (as root, or through sudo).</summary>
    public static void AddArchitectures(IEnumerable<string> archs)
    {
        foreach (var arch in archs)
        {
            ProcessRunner.RunChecked(new ProcessSpec(Sudo.Length > 0 ? "sudo" : "dpkg", Sudo.Length > 0 ? ["dpkg", "--add-architecture", arch] : ["--add-architecture", arch]),
                $"dpkg --add-architecture {arch} failed");
        }
    }

    /// <summary>
    /// What apt would download to install <paramref name="packages"/> (and what they depend on),
    /// from the package lists as they are: bytes and .deb count. Null when apt cannot tell (a
    /// package its lists do not know: empty or stale lists). Needs no root.
    /// </summary>
    public static (long Bytes, int Debs)? DownloadSize(IReadOnlyCollection<string> packages)
    {
        if (packages.Count == 0)
        {
            return (0, 0);
        }

        var result = ProcessRunner.Run(new ProcessSpec("apt-get", ["install", "--print-uris", "-qq", "--no-install-recommends", .. packages]));
        if (!result.Succeeded)
        {
            return null;
        }

        // 'URI' file.deb SIZE MD5Sum:...
        long bytes = 0;
        var debs = 0;
        foreach (var line in result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 3 && fields[0].StartsWith('\'') && long.TryParse(fields[2], out var size))
            {
                bytes += size;
                debs++;
            }
        }

        return (bytes, debs);
    }

    /// <summary>
    /// One apt-get install of all of <paramref name="packages"/> (after apt-get update), its output
    /// in <paramref name="logFile"/> and its progress as log lines: what it downloads, unpacks and
    /// sets up. Throws with the log's tail and path when it fails.
    /// </summary>
    public void InstallAll(IReadOnlyCollection<string> packages, string logFile)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(logFile)!);
        File.Delete(logFile);
        log($"Reading Debian's package lists (apt-get update; log: {logFile})");
        Update(logFile);
        if (packages.Count == 0)
        {
            return;
        }

        var progress = new AptProgress(log);
        var spec = AptSpec(["install", "-y", "--no-install-recommends", .. packages]);
        var run = new ProcessSpec(spec.FileName, [.. spec.Arguments]) { Environment = spec.Environment, LogFile = logFile, OnLine = progress.Line };
        var result = ProcessRunner.Run(run);
        if (!result.Succeeded)
        {
            throw ProcessRunner.Failure(run, result, $"Installing {string.Join(", ", packages)} failed (nothing else was changed)");
        }

        progress.Done();
        lock (_installed)
        {
            _installed.UnionWith(packages);
        }
    }

    /// <summary>
    /// apt-get update, retried: a foreign index can fail transiently ("File has unexpected size ...
    /// Mirror sync in progress?") while the packages needed are still downloadable, so a failing
    /// update is a warning; the download or install that follows is the judge.
    /// </summary>
    public void Update(string? logFile = null)
    {
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var spec = AptSpec(["update", "-q"]);
            var result = ProcessRunner.Run(logFile is null ? spec : new ProcessSpec(spec.FileName, [.. spec.Arguments]) { Environment = spec.Environment, LogFile = logFile });
            if (result.Succeeded)
            {
                return;
            }

            // apt's own summary line ("E: Failed to fetch <index>  File has unexpected size ...
            // Mirror sync in progress?") says which index and why; the lines after it do not.
            var error = (result.StandardOutput + "\n" + result.StandardError).Split('\n')
                .Select(l => l.Trim())
                .FirstOrDefault(l => l.StartsWith("E: Failed to fetch", StringComparison.Ordinal))
                ?? ProcessRunner.TailOf(result.StandardError, 2);
            log($"apt-get update failed (attempt {attempt}/3; what is downloaded next decides whether that matters): {error}");
            Thread.Sleep(TimeSpan.FromSeconds(3 * attempt));
        }
    }

    /// <summary>
    /// CROSSBOARD_DEB_CACHE: one folder of downloaded .deb files shared by every work dir (a CI
    /// machine fills it once before the tests; a user may point it at a local copy for offline
    /// work). When set it is looked in first and downloaded into instead of the caller's folder.
    /// </summary>
    public static string? SharedCache =>
        Environment.GetEnvironmentVariable("CROSSBOARD_DEB_CACHE") is { Length: > 0 } dir ? Path.GetFullPath(dir) : null;

    /// <summary>
    /// Downloads <paramref name="package"/> (name[:arch][=version]) into <paramref name="cacheDir"/>
    /// (or <see cref="SharedCache"/>) and returns the .deb's path; a .deb already there is reused.
    /// </summary>
    public string Download(string package, string cacheDir)
    {
        Directory.CreateDirectory(cacheDir);
        cacheDir = SharedCache ?? cacheDir;
        Directory.CreateDirectory(cacheDir);
        var name = package.Split('=')[0].Split(':')[0];
        var arch = package.Contains(':') ? package.Split(':')[1].Split('=')[0] : null;
        var version = package.Contains('=') ? package.Split('=')[1] : null;
        var existing = Directory.GetFiles(cacheDir, $"{name}_*.deb")
            .FirstOrDefault(f => (arch is null || f.EndsWith($"_{arch}.deb") || f.EndsWith("_all.deb")) &&
                                 (version is null || Path.GetFileName(f).Contains("_" + version.Replace(":", "%3a") + "_")));
        if (existing is not null)
        {
            return existing;
        }

        var attempt = ProcessRunner.Run(new ProcessSpec("apt-get", [.. LockWait, "download", package]) { WorkingDirectory = cacheDir });
        if (!attempt.Succeeded)
        {
            // The index may be stale (a new architecture, a point release): refresh once and retry.
            Update();
            ProcessRunner.RunChecked(new ProcessSpec("apt-get", [.. LockWait, "download", package]) { WorkingDirectory = cacheDir },
                $"Downloading the Debian package {package} failed");
        }

        return Directory.GetFiles(cacheDir, $"{name}_*.deb").OrderByDescending(File.GetLastWriteTimeUtc).First();
    }

    /// <summary>Unpacks a .deb's files (not its scripts) under <paramref name="intoDir"/>.</summary>
    public static void Extract(string deb, string intoDir)
    {
        Directory.CreateDirectory(intoDir);
        ProcessRunner.RunChecked(new ProcessSpec("dpkg-deb", "-x", deb, intoDir), $"Unpacking {Path.GetFileName(deb)} failed");
    }

    private static string Sudo => SudoPrefix;

    /// <summary>"sudo " when commands that change the system need it (not root), else "".</summary>
    public static string SudoPrefix => IsRoot ? "" : "sudo ";

    private void Apt(string[] args, string whatFailed, bool updateFirst)
    {
        if (updateFirst)
        {
            Update();
        }

        ProcessRunner.RunChecked(AptSpec(args), whatFailed);
    }

    private static ProcessSpec AptSpec(string[] args)
    {
        string[] full = [.. LockWait, .. args];
        var spec = IsRoot ? new ProcessSpec("apt-get", full) : new ProcessSpec("sudo", ["apt-get", .. full]);
        spec.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        return spec;
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern uint geteuid();
}
