using System.Diagnostics;
using System.Text.RegularExpressions;
using Crossboard.Machine;

namespace Crossboard.Toolchains;

/// <summary>
/// Debian's way to target C libraries: the <c>-dev</c> packages of the target's architecture and
/// what they depend on, downloaded by apt with a PRIVATE configuration (the target arch as apt's
/// only architecture, its own package lists, cache and an empty dpkg status, the host's sources)
/// and unpacked with <c>dpkg-deb -x</c> into a sysroot under the work dir. Nothing is installed on
/// the host; its dpkg architectures and apt lists are left as they are. The sysroot is made in a
/// temporary folder under a lock and renamed into place with its stamp: a second run finds it and
/// runs nothing. With CROSSBOARD_DEB_CACHE set, apt's private lists and .deb files live there,
/// shared by every work dir (the tests fill it once; then no network is needed).
/// </summary>
public sealed partial class DebianTargetLibraries
{
    private const string CompleteStamp = ".crossboard-complete";

    /// <summary>
    /// What the cross toolchain's own C library packages (libc6-dev-&lt;arch&gt;-cross) already
    /// provide: apt pulls them in as dependencies of every -dev package, but their linker scripts
    /// name absolute host paths and would shadow the toolchain's. The runtime libc (libc6) is kept:
    /// qemu-user runs a dynamically linked binary with the sysroot as its root (-L).
    /// </summary>
    private static readonly HashSet<string> ProvidedByToolchain = new(StringComparer.Ordinal)
    {
        "libc6-dev", "libc-dev-bin", "linux-libc-dev", "libcrypt-dev", "libnsl-dev", "libtirpc-dev", "rpcsvc-proto",
    };

    public TargetLibraries Provide(CLibrariesRequest request)
    {
        var provided = ProvideLibraries(request, out var emulatedDeviceOnly);
        return provided with { EmulatedDeviceOnly = emulatedDeviceOnly };
    }

    private TargetLibraries ProvideLibraries(CLibrariesRequest request, out bool emulatedDeviceOnly)
    {
        var debian = request.Definition.DebianCross
            ?? throw new CrossboardException($"{request.Definition.SourceFile}: toolchain '{request.Definition.Name}' has no [debian] table.");
        var arch = debian.Arch;
        var gnu = request.Toolchain.GnuTarget;
        emulatedDeviceOnly = false;
        if (request.Static && request.Libraries.Select(l => l.Library).FirstOrDefault(l => !l.StaticLinkable) is { } dynamicOnly)
        {
            const string why = "its archive needs others Debian does not ship";
            if (request.Board.Emulator?.DebianArch != arch)
            {
                throw StaticRefused(request, dynamicOnly, why);
            }

            // The board's emulated device is assembled from Debian's packages of this arch: a
            // dynamic build against them runs there (its image carries the libraries), though not
            // on the real board.
            request.Log.Warning(EmulatedDeviceOnlyWarning(request, dynamicOnly, why));
            request = request with { Static = false };
            emulatedDeviceOnly = true;
        }

        var libraries = CLibraries.WithStaticNeeds(request.Libraries.Select(l => l.Library), request.Static);
        var packages = libraries.Select(l => l.DebianDev).Distinct().Order(StringComparer.Ordinal).ToList();

        var root = Path.Combine(request.WorkDir, "target-libs", $"debian-{arch}", string.Join('+', libraries.Select(l => l.Name).Order(StringComparer.Ordinal)));
        if (IsComplete(root))
        {
            request.Log.Verbose($"Target C libraries for {arch}: {root}");
            return Result(libraries, root, gnu, request, reused: true);
        }

        var parent = Path.GetDirectoryName(root)!;
        Directory.CreateDirectory(parent);
        using (WorkDirLock.Acquire(parent, $"target C libraries for {arch}", TimeSpan.FromMinutes(10), m => request.Log.Information(m)))
        {
            if (IsComplete(root))
            {
                return Result(libraries, root, gnu, request, reused: true); // another run made it while we waited
            }

            var watch = Stopwatch.StartNew();
            var logFile = Path.Combine(request.WorkDir, "logs", $"c-libraries-{arch}.log");
            Directory.CreateDirectory(Path.GetDirectoryName(logFile)!);
            File.Delete(logFile);
            request.Log.Information($"Fetching the target C libraries for {arch}: {string.Join(", ", packages.Select(p => $"{p}:{arch}"))} and what they depend on (apt with a private configuration; nothing is installed on this machine; log: {logFile})");

            var apt = new PrivateApt(arch, AptRoot(request.WorkDir, arch), logFile, request.Log);
            var debs = apt.Download(packages, request.Cancellation);

            foreach (var stale in Directory.GetDirectories(parent, Path.GetFileName(root) + ".partial-*"))
            {
                Directory.Delete(stale, recursive: true);
            }

            var partial = root + $".partial-{Environment.ProcessId}";
            try
            {
                var unpacked = 0;
                foreach (var (name, deb) in debs)
                {
                    if (ProvidedByToolchain.Contains(name))
                    {
                        continue;
                    }

                    DebianPackages.Extract(deb, partial);
                    unpacked++;
                }

                KeepLinksInside(partial);
                CheckComplete(libraries, partial, gnu, request);
                File.WriteAllLines(Path.Combine(partial, CompleteStamp), debs.Select(d => Path.GetFileName(d.Deb)));
                if (Directory.Exists(root))
                {
                    Directory.Delete(root, recursive: true);
                }

                Directory.Move(partial, root);
                request.Log.Information($"Target C libraries for {arch} ready in {root} ({unpacked} packages unpacked, {watch.Elapsed.TotalSeconds:0.0} s)");
            }
            catch
            {
                if (Directory.Exists(partial))
                {
                    Directory.Delete(partial, recursive: true);
                }

                throw;
            }
        }

        return Result(libraries, root, gnu, request, reused: false);
    }

    /// <summary>Whether <paramref name="root"/> is a finished sysroot (its stamp is written last).</summary>
    public static bool IsComplete(string root) => File.Exists(Path.Combine(root, CompleteStamp));

    /// <summary>
    /// Where apt's private lists and .deb cache live: beside the shared .deb cache when
    /// CROSSBOARD_DEB_CACHE is set (shared by every work dir), else in the work dir.
    /// </summary>
    public static string AptRoot(string workDir, string arch) =>
        DebianPackages.SharedCache is { } shared ? Path.Combine(shared, "target-apt", arch) : Path.Combine(workDir, "target-libs", "apt", arch);

    /// <summary>The sysroot's layout; a reused one is checked again (cheap: a few file looks), a new one was checked before its stamp.</summary>
    private static TargetLibraries Result(List<CLibrary> libraries, string root, string gnu, CLibrariesRequest request, bool reused)
    {
        if (reused)
        {
            CheckComplete(libraries, root, gnu, request);
        }

        return Layout(libraries, root, gnu, request.Static, reused);
    }

    private static TargetLibraries Layout(List<CLibrary> libraries, string root, string gnu, bool linkStatic, bool reused) => new(
        libraries,
        root,
        [Path.Combine(root, "usr", "lib", gnu), Path.Combine(root, "lib", gnu), Path.Combine(root, "usr", "lib")],
        [Path.Combine(root, "usr", "include"), Path.Combine(root, "usr", "include", gnu)],
        [Path.Combine(root, "usr", "lib", gnu, "pkgconfig"), Path.Combine(root, "usr", "share", "pkgconfig")],
        linkStatic,
        reused);

    /// <summary>
    /// What the build will need is there: each library's pkg-config file, and for a static link its
    /// archives (else the refusal says why and what to do, before cargo runs).
    /// </summary>
    private static void CheckComplete(List<CLibrary> libraries, string root, string gnu, CLibrariesRequest request)
    {
        var libDir = Path.Combine(root, "usr", "lib", gnu);
        foreach (var library in libraries)
        {
            var declared = request.Libraries.FirstOrDefault(d => d.Library == library);
            var where = declared?.Where ?? request.Libraries[0].Where;
            if (!File.Exists(Path.Combine(libDir, "pkgconfig", library.PkgConfig + ".pc")) && !File.Exists(Path.Combine(root, "usr", "share", "pkgconfig", library.PkgConfig + ".pc")))
            {
                throw new CrossboardException($"{where}: {library.DebianDev}:{request.Definition.DebianCross!.Arch} did not bring {library.PkgConfig}.pc into {libDir}/pkgconfig. " +
                    $"Remove {root} and run again; if it stays, the package's layout changed: report it.");
            }

            if (!request.Static)
            {
                continue;
            }

            var missing = library.Archives.Where(a => !File.Exists(Path.Combine(libDir, a))).ToList();
            if (missing.Count > 0)
            {
                throw StaticRefused(request, library, $"{string.Join(", ", missing)} missing in {libDir}");
            }
        }
    }

    private static string EmulatedDeviceOnlyWarning(CLibrariesRequest request, CLibrary library, string why)
    {
        var where = (request.Libraries.FirstOrDefault(d => d.Library == library) ?? request.Libraries[0]).Where;
        var board = request.Board;
        return $"{where}: {library.What} cannot be linked statically from Debian's packages ({why}), and {board.Name} links statically " +
            $"(the device runs {board.System.Libc}, the {request.Definition.Name} toolchain links {request.Toolchain.Libc}). So the app is linked dynamically " +
            $"against Debian's {board.Emulator!.DebianArch} libraries: it runs on {board.Name}'s emulated device (--device=emulator), whose image carries them, " +
            $"and not on a stock {board.System.Os} device. For a real {board.Name}, build with a {board.System.Libc} toolchain " +
            $"({string.Join(", ", board.Toolchain.Allowed.Where(t => t != request.Definition.Name))}), and install {library.OpenWrtPackage} on the device (opkg install {library.OpenWrtPackage}).";
    }

    private static CrossboardException StaticRefused(CLibrariesRequest request, CLibrary library, string why)
    {
        var where = (request.Libraries.FirstOrDefault(d => d.Library == library) ?? request.Libraries[0]).Where;
        return new CrossboardException(
            $"{where}: {request.Board.Name} links statically (the device runs {request.Board.System.Libc}, the {request.Definition.Name} toolchain links {request.Toolchain.Libc}), " +
            $"and {library.What} cannot be linked statically from Debian's packages ({why}). " +
            $"What to do: build for a board whose libc is the toolchain's ({request.Toolchain.Libc}), which links dynamically, or use a toolchain of the device's libc ({request.Board.System.Libc}).");
    }

    /// <summary>Absolute symlinks in the packages (libfoo.so -> /lib/&lt;triple&gt;/libfoo.so.1) pointed inside the sysroot.</summary>
    private static void KeepLinksInside(string root)
    {
        foreach (var path in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories))
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is { } target && target.StartsWith('/'))
            {
                info.Delete();
                var inside = Path.GetRelativePath(Path.GetDirectoryName(path)!, Path.Combine(root, target.TrimStart('/')));
                File.CreateSymbolicLink(path, inside);
            }
        }
    }

    /// <summary>apt-get for another architecture, with its own state: the host's lists, cache, dpkg status and architectures untouched.</summary>
    private sealed partial class PrivateApt(string arch, string root, string logFile, IBuildLog log)
    {
        private string Lists => Path.Combine(root, "lists");

        private string Archives => Path.Combine(root, "archives");

        private string Status => Path.Combine(root, "status");

        /// <summary>The .deb files of <paramref name="packages"/> and of all they depend on, as (package, file).</summary>
        public List<(string Name, string Deb)> Download(IReadOnlyList<string> packages, CancellationToken cancellation)
        {
            Directory.CreateDirectory(Path.Combine(Lists, "partial"));
            Directory.CreateDirectory(Path.Combine(Archives, "partial"));
            Directory.CreateDirectory(Path.Combine(root, "cache"));
            if (!File.Exists(Status))
            {
                File.WriteAllText(Status, ""); // nothing installed: apt resolves every dependency
            }

            // One crossboard at a time in this apt state (it may be shared by work dirs).
            using var aptLock = WorkDirLock.Acquire(root, $"apt's private state for {arch}", TimeSpan.FromMinutes(10), m => log.Information(m));
            if (!Directory.EnumerateFiles(Lists, "*_Packages*").Any())
            {
                Update(cancellation);
            }

            var closure = Plan(packages, cancellation);
            if (closure is null)
            {
                // Lists from an older point release (or another mirror): refresh once, then judge.
                Update(cancellation);
                closure = Plan(packages, cancellation) ?? throw Failure(packages, "apt cannot resolve them");
            }

            var missing = closure.Where(p => FileOf(p) is null).ToList();
            if (missing.Count > 0)
            {
                log.Information($"Downloading {missing.Count} of {closure.Count} {arch} packages");
                var spec = Spec(["install", "--download-only", "-y", "-q", "--no-install-recommends", .. packages]);
                var fetched = 0;
                var run = new ProcessSpec(spec.FileName, [.. spec.Arguments])
                {
                    Environment = spec.Environment,
                    LogFile = logFile,
                    OnLine = line =>
                    {
                        if (line.StartsWith("Get:", StringComparison.Ordinal) && !line.Contains("InRelease", StringComparison.Ordinal))
                        {
                            fetched++;
                            log.Verbose($"  {fetched}/{missing.Count}: {line}");
                        }
                    },
                };
                var result = ProcessRunner.Run(run, cancellation);
                if (!result.Succeeded)
                {
                    // The lists may name versions the mirror no longer has: refresh once and retry.
                    Update(cancellation);
                    result = ProcessRunner.Run(run, cancellation);
                }

                if (!result.Succeeded)
                {
                    throw ProcessRunner.Failure(run, result, $"Downloading {string.Join(", ", packages.Select(p => p + ":" + arch))} failed");
                }
            }

            return closure.Select(p => (p.Name, FileOf(p) ?? throw Failure(packages, $"apt reported no error, yet {p.Name}_{p.Version}_{p.Arch}.deb is not in {Archives}"))).ToList();
        }

        private CrossboardException Failure(IReadOnlyList<string> packages, string why) => new(
            $"Cannot fetch {string.Join(", ", packages.Select(p => p + ":" + arch))} for the target: {why}. " +
            "crossboard downloads them from this machine's apt sources (/etc/apt/sources.list*), for the target architecture only. " +
            "What to do: check those sources reach a Debian mirror (or CROSSBOARD_DEB_CACHE holds the packages), then run again.", logFile);

        /// <summary>The packages apt would install on an empty system of the target's arch (simulated), or null when it cannot resolve them.</summary>
        private List<(string Name, string Version, string Arch)>? Plan(IReadOnlyList<string> packages, CancellationToken cancellation)
        {
            var spec = Spec(["install", "-s", "-q", "--no-install-recommends", .. packages]);
            var result = ProcessRunner.Run(new ProcessSpec(spec.FileName, [.. spec.Arguments]) { Environment = spec.Environment, LogFile = logFile }, cancellation);
            if (!result.Succeeded)
            {
                return null;
            }

            // Inst libsqlite3-0 (3.40.1-2+deb12u2 Debian:12.15/oldstable [armhf])
            return result.StandardOutput.Split('\n')
                .Select(l => Inst().Match(l))
                .Where(m => m.Success)
                .Select(m => (m.Groups["name"].Value, m.Groups["version"].Value, m.Groups["arch"].Value))
                .ToList();
        }

        /// <summary>apt's file name for a package version: name_version_arch.deb, the epoch's colon as %3a.</summary>
        private string? FileOf((string Name, string Version, string Arch) package)
        {
            var path = Path.Combine(Archives, $"{package.Name}_{package.Version.Replace(":", "%3a")}_{package.Arch}.deb");
            return File.Exists(path) ? path : null;
        }

        /// <summary>apt-get update of the private lists: a failing index is only a warning (what is downloaded next decides).</summary>
        private void Update(CancellationToken cancellation)
        {
            log.Information($"Reading Debian's {arch} package lists (private to crossboard: {Lists})");
            var spec = Spec(["update", "-q"]);
            var result = ProcessRunner.Run(new ProcessSpec(spec.FileName, [.. spec.Arguments]) { Environment = spec.Environment, LogFile = logFile }, cancellation);
            if (!result.Succeeded)
            {
                var error = (result.StandardOutput + "\n" + result.StandardError).Split('\n').Select(l => l.Trim())
                    .FirstOrDefault(l => l.StartsWith("E: ", StringComparison.Ordinal)) ?? ProcessRunner.TailOf(result.StandardError, 2);
                log.Warning($"apt-get update of the private {arch} lists failed (what is downloaded next decides whether that matters): {error}");
            }
        }

        private ProcessSpec Spec(string[] args)
        {
            string[] options =
            [
                "-o", $"APT::Architecture={arch}",
                "-o", $"APT::Architectures={arch}",
                "-o", $"Dir::State::Lists={Lists}",
                "-o", $"Dir::State::status={Status}",
                "-o", $"Dir::Cache={Path.Combine(root, "cache")}",
                "-o", $"Dir::Cache::archives={Archives}",
                // Not the host's pins or its automatic-install records: they speak of the host's own arch.
                "-o", "Dir::Etc::preferences=/dev/null",
                "-o", "Dir::Etc::preferencesparts=/dev/null",
                "-o", $"Dir::State::extended_states={Path.Combine(root, "extended_states")}",
            ];

            // As root apt hands downloads to its _apt user, who cannot enter a private home's folders.
            string[] sandbox = Environment.UserName == "root" ? ["-o", "APT::Sandbox::User=root"] : [];
            var spec = new ProcessSpec("apt-get", [.. options, .. sandbox, .. args]);
            spec.Environment["DEBIAN_FRONTEND"] = "noninteractive";
            spec.Environment["LC_ALL"] = "C";
            return spec;
        }

        [GeneratedRegex(@"^Inst (?<name>\S+) \((?<version>\S+) .*\[(?<arch>[^\]]+)\]\)")]
        private static partial Regex Inst();
    }
}
