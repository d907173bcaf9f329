using Crossboard.FastPath;
using Crossboard.Machine;

namespace Crossboard.Cargo;

/// <summary>
/// Debian's Rust std for another architecture, without installing it: <c>apt-get install
/// libstd-rust-dev:mipsel</c> fails on multiarch version skew, but the package's rlibs, unpacked
/// into a private sysroot and given to rustc with <c>--sysroot</c>, cross-compile offline. The
/// sysroot lives in the work dir (one per Debian rustc version and target), is built under a
/// lock in a temporary folder and renamed into place, and is marked complete only at the end.
/// </summary>
/// <param name="probes">
/// Where the answers about Debian's rustc (its version, its package's version, its target
/// libdir) are kept across runs; null to ask rustc every time (the builder container). Their key:
/// /usr/bin/rustc and /usr/bin/cargo themselves (replaced by hand) and dpkg's database (every
/// apt-get install, upgrade or removal of rustc, cargo or a libstd-rust-dev).
/// </param>
public sealed class DebianRustStd(DebianPackages packages, ICommandRunner runner, string workDir, IBuildLog log, ProbeCache? probes = null)
{
    private const string CompleteStamp = ".crossboard-complete";

    /// <summary>The host's Debian rustc: its version string and the Debian package version its std must match; null if absent.</summary>
    /// <remarks>Asked once per instance (the selector asks, then the toolchain it makes): its three probes run at once.</remarks>
    public (string Rustc, string PackageVersion)? HostRustc()
    {
        lock (_probes)
        {
            if (!_hostRustcProbed)
            {
                _hostRustc = probes is null ? ProbeHostRustc() : CachedHostRustc(probes);
                _hostRustcProbed = true;
            }

            return _hostRustc;
        }
    }

    private (string, string)? CachedHostRustc(ProbeCache cache)
    {
        var answer = cache.GetOrProbe($"debian-rustc {DebianRustc} {DebianCargo} {ProbeCache.DpkgEnvironment}", () =>
            ProbeHostRustc() is var (rustc, package) && !rustc.Contains('\n')
                ? new ProbeAnswer(rustc + "\n" + package, [.. ProbeCache.DpkgDatabase, DebianRustc, DebianCargo])
                : null);
        return answer?.Split('\n', 2) is [var version, var packageVersion] ? (version, packageVersion) : null;
    }

    /// <summary>Its three probes run at once.</summary>
    private (string, string)? ProbeHostRustc()
    {
        var rustc = SucceedsAsync(new ProcessSpec(DebianRustc, "--version"));
        var cargo = SucceedsAsync(new ProcessSpec(DebianCargo, "--version"));
        var package = SucceedsAsync(new ProcessSpec("dpkg-query", "-W", "-f=${Version}", "rustc"));
        var (rustcOk, version) = rustc.GetAwaiter().GetResult();
        var (cargoOk, _) = cargo.GetAwaiter().GetResult();
        var (packageOk, packageVersion) = package.GetAwaiter().GetResult();
        return rustcOk && cargoOk && packageOk && packageVersion.Length > 0 ? (version, packageVersion) : null;
    }

    /// <summary>Installs Debian's rustc and cargo (asking first, unless --yes or CI).</summary>
    public void EnsureRustc(string forToolchain)
    {
        packages.Ensure(["rustc", "cargo"], $"Rust for the {forToolchain} toolchain");
        lock (_probes)
        {
            // The answer "no rustc" was true before the install: ask again next time.
            _hostRustcProbed = false;
        }
    }

    private (string, string)? _hostRustc;
    private bool _hostRustcProbed;
    private readonly Dictionary<string, Task<bool>> _installedStd = new(StringComparer.Ordinal);
    private readonly object _probes = new();

    public const string DebianRustc = "/usr/bin/rustc";
    public const string DebianCargo = "/usr/bin/cargo";

    /// <summary>
    /// Whether Debian's rustc already has <paramref name="triple"/>'s std in its own sysroot: the
    /// builder image (--docker) unpacks it there, and so does a host where the multiarch
    /// libstd-rust-dev happened to install. Then no private sysroot is needed.
    /// </summary>
    public bool HasInstalledStd(string triple) => InstalledStd(triple).GetAwaiter().GetResult();

    /// <summary>Starts <see cref="HasInstalledStd"/>'s look now (it runs rustc), to be read later.</summary>
    public void LookForInstalledStd(string triple) => InstalledStd(triple);

    private Task<bool> InstalledStd(string triple)
    {
        lock (_probes)
        {
            if (!_installedStd.TryGetValue(triple, out var look))
            {
                look = probes is not null ? InstalledStdHere(probes, triple) : SucceedsAsync(new ProcessSpec("sh", "-c", "ls \"$(\"$0\" --print target-libdir --target \"$1\")\"/libstd-*.rlib", DebianRustc, triple))
                    .ContinueWith(t => t.Result.Succeeded, TaskScheduler.Default);
                _installedStd[triple] = look;
            }

            return look;
        }
    }

    /// <summary>
    /// <see cref="InstalledStd"/> where rustc runs on this machine: rustc's target libdir (kept in
    /// <paramref name="cache"/> while rustc and dpkg's database are unchanged), then whether it
    /// holds a libstd, looked at now (a std unpacked there by hand counts at once).
    /// </summary>
    private async Task<bool> InstalledStdHere(ProbeCache cache, string triple)
    {
        var libdir = await cache.GetOrProbeAsync($"rustc target-libdir {DebianRustc} {triple} {ProbeCache.DpkgEnvironment}", async () =>
        {
            var (ok, output) = await SucceedsAsync(new ProcessSpec(DebianRustc, "--print", "target-libdir", "--target", triple)).ConfigureAwait(false);
            return ok && output.StartsWith('/') && !output.Contains('\n')
                ? new ProbeAnswer(output, [.. ProbeCache.DpkgDatabase, DebianRustc])
                : null;
        }).ConfigureAwait(false);
        try
        {
            return libdir is not null && Directory.Exists(libdir) && Directory.EnumerateFiles(libdir, "libstd-*.rlib").Any();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The sysroot holding <paramref name="triple"/>'s std for the host's Debian rustc, made on first use.</summary>
    public string EnsureSysroot(string triple, string debianArch, string package, string packageVersion)
    {
        var root = Path.Combine(workDir, "rust-std", "debian-" + Sanitize(packageVersion), triple);
        if (IsComplete(root, triple))
        {
            log.Verbose($"Debian Rust std for {triple}: {root}");
            return root;
        }

        var parent = Path.GetDirectoryName(root)!;
        using var workLock = WorkDirLock.Acquire(parent, $"Debian Rust std for {triple}", TimeSpan.FromMinutes(10), m => log.Information(m));
        if (IsComplete(root, triple))
        {
            return root; // another run made it while we waited
        }

        var hostTriple = HostTriple();
        var spec = $"{package}:{debianArch}={packageVersion}";
        log.Information($"Fetching Debian's Rust std for {triple} ({spec}), once per work dir");
        packages.EnsureArchitecture(debianArch);

        // Under the lock, leftovers of an interrupted run (killed mid-unpack) are ours to remove.
        foreach (var stale in Directory.GetDirectories(parent, Path.GetFileName(root) + ".partial-*"))
        {
            DeleteIfExists(stale);
        }

        var partial = root + $".partial-{Environment.ProcessId}";
        DeleteIfExists(root);
        try
        {
            var deb = packages.Download(spec, Path.Combine(partial, "download"));
            var unpacked = Path.Combine(partial, "unpacked");
            DebianPackages.Extract(deb, unpacked);
            var std = Path.Combine(unpacked, "usr", "lib", "rustlib", triple);
            if (!Directory.Exists(Path.Combine(std, "lib")))
            {
                var found = Directory.Exists(Path.Combine(unpacked, "usr", "lib", "rustlib"))
                    ? string.Join(", ", Directory.GetDirectories(Path.Combine(unpacked, "usr", "lib", "rustlib")).Select(Path.GetFileName))
                    : "nothing";
                throw new CrossboardException($"{spec} holds Rust std for {found}, not for {triple}. Choose a toolchain whose Rust target Debian builds, or another Rust provider (--rust=stable|nightly).");
            }

            var rustlib = Path.Combine(partial, "lib", "rustlib");
            Directory.CreateDirectory(rustlib);
            Directory.Move(std, Path.Combine(rustlib, triple));
            // rustc looks for the host's own std (build scripts, proc macros) under the same sysroot.
            Directory.CreateSymbolicLink(Path.Combine(rustlib, hostTriple), Path.Combine("/usr/lib/rustlib", hostTriple));
            Directory.Delete(Path.Combine(partial, "download"), recursive: true);
            Directory.Delete(unpacked, recursive: true);
            File.WriteAllText(Path.Combine(partial, CompleteStamp), spec + Environment.NewLine);
            Directory.Move(partial, root);
        }
        catch
        {
            DeleteIfExists(partial);
            throw;
        }

        log.Information($"Debian Rust std for {triple} ready in {root}");
        return root;
    }

    /// <summary>Whether <paramref name="root"/> is a finished sysroot holding <paramref name="triple"/>'s std.</summary>
    public static bool IsComplete(string root, string triple) =>
        File.Exists(Path.Combine(root, CompleteStamp)) &&
        Directory.Exists(Path.Combine(root, "lib", "rustlib", triple, "lib")) &&
        Directory.EnumerateFiles(Path.Combine(root, "lib", "rustlib", triple, "lib"), "libstd-*.rlib").Any();

    private string HostTriple()
    {
        if (Succeeds(new ProcessSpec(DebianRustc, "-vV"), out var info))
        {
            var host = info.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("host: ", StringComparison.Ordinal));
            if (host is not null)
            {
                return host["host: ".Length..];
            }
        }

        throw new CrossboardException($"Cannot tell the host triple from '{DebianRustc} -vV'. Is Debian's rustc installed? (sudo apt-get install rustc cargo)");
    }

    private bool Succeeds(ProcessSpec spec, out string output)
    {
        try
        {
            var result = runner.Run(spec);
            output = result.StandardOutput.Trim();
            return result.Succeeded;
        }
        catch (CrossboardException)
        {
            output = "";
            return false; // not installed
        }
    }

    private async Task<(bool Succeeded, string Output)> SucceedsAsync(ProcessSpec spec)
    {
        try
        {
            var result = await runner.RunAsync(spec).ConfigureAwait(false);
            return (result.Succeeded, result.StandardOutput.Trim());
        }
        catch (CrossboardException)
        {
            return (false, ""); // not installed
        }
    }

    private static string Sanitize(string version) => string.Concat(version.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_'));

    private static void DeleteIfExists(string dir)
    {
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
