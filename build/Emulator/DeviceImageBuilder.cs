using System.Security.Cryptography;
using System.Text;
using Crossboard.Machine;
using Crossboard.Recipes;

namespace Crossboard.Emulator;

/// <summary>What the image carries beyond its base, test hooks and cache placement for <see cref="DeviceImageBuilder"/>.</summary>
public sealed record DeviceImageOptions
{
    /// <summary>
    /// The C libraries the deployed app declares (its Cargo.toml's c-libraries): their Debian
    /// runtime packages' shared libraries, gcc's runtime and glibc's, go into the image, so that
    /// an app linked dynamically against Debian's libraries runs on the emulated device.
    /// </summary>
    public IReadOnlyList<Toolchains.CLibrary> AppLibraries { get; init; } = [];

    /// <summary>Replaces the device's boot script (/etc/init.d/rcS), e.g. one that never gets ready.</summary>
    public string? BootScript { get; init; }

    /// <summary>Where unpacked Debian packages are kept (default &lt;work-dir&gt;/emulator/packages/&lt;arch&gt;).</summary>
    public string? PackageCache { get; init; }
}

/// <summary>
/// Assembles the emulated device from Debian packages of the board's architecture: the kernel of
/// the recipe's flavour and its NIC modules, busybox-static, dropbear, the exact shared libraries
/// those programs load (read from their ELF headers), a generated host key and crossboard's
/// deploy key authorized for root. No sftp-server and no scp unless the recipe says sftp = true,
/// like stock OpenWrt. Built once: the next build only compares the stamp of its inputs.
/// </summary>
public sealed class DeviceImageBuilder(DebianPackages packages, IBuildLog log)
{
    /// <summary>Bumped when the image's layout changes, so old images are rebuilt.</summary>
    private const int Layout = 1;

    /// <summary>The device's root tmpfs may grow to this share of its RAM (a deploy keeps a backup beside the binary).</summary>
    private const string RootSize = "75%";

    private static readonly string[] Programs = ["bin/busybox", "usr/sbin/dropbear"];
    private static readonly string[] SftpPrograms = ["usr/lib/openssh/sftp-server", "usr/lib/sftp-server", "usr/bin/scp"];

    public DeviceImage Build(Board board, string workDir, DeviceImageOptions? options = null)
    {
        options ??= new DeviceImageOptions();
        var settings = board.Emulator ?? throw new CrossboardException(
            $"Board {board.Name} ({board.SourceFile}) has no [emulator] table, so crossboard cannot emulate it. Use --board=malta-le (the emulated Omega2-class device).");
        if (!DebianPackages.IsAvailable)
        {
            throw new CrossboardException(
                "The emulated device is assembled from Debian packages with apt-get and dpkg-deb, which this machine does not have. Run crossboard on Debian/Ubuntu (or with --docker), or deploy to a real device with --device=HOST.");
        }

        var paths = new EmulatorPaths(workDir, board.Name);
        var deployKey = DeployKey.Ensure(workDir, log);
        using var guard = WorkDirLock.Acquire(paths.Root, "emulator image", TimeSpan.FromMinutes(15), log.Information);
        SshKeys.EnsureEd25519(paths.HostKey, $"crossboard-{board.Name}");
        var hostKeyLine = File.ReadAllText(paths.HostKey + ".pub").Trim();
        var authorizedKey = File.ReadAllText(deployKey + ".pub").Trim();

        packages.EnsureArchitecture(settings.DebianArch);
        var cache = options.PackageCache ?? EmulatorPaths.PackageCache(workDir, settings.DebianArch);
        // openssh-client is taken for scp alone, which links only libc: following its dependencies
        // would fetch Kerberos, FIDO and OpenSSL libraries the image never uses. The ELF check
        // below names any library a future scp needs.
        var appPackages = options.AppLibraries.Count == 0 ? [] : options.AppLibraries.Select(l => l.DebianRuntime).Append(GccRuntime).Distinct().ToList();
        var resolved = new ImagePackages(settings.DebianArch, log).Resolve(
            settings.KernelFlavour,
            [.. settings.Sftp ? ["busybox-static", "dropbear-bin", "openssh-sftp-server", "openssh-client"] : new[] { "busybox-static", "dropbear-bin" }, .. appPackages],
            ["openssh-client"],
            cache);
        var kernel = resolved.Kernel;
        var userland = resolved.Userland;

        var scripts = new Dictionary<string, string>
        {
            ["init"] = DeviceScripts.Init.Replace("@ROOT_SIZE@", RootSize) + "\n",
            ["etc/init.d/rcS"] = options.BootScript ?? DeviceScripts.Rcs
                .Replace("@MODULES@", string.Join(' ', settings.NicModules))
                .Replace("@HOSTNAME@", board.Name)
                .Replace("@MARKER@", DeviceImage.ReadyMarker) + "\n",
            ["etc/inittab"] = DeviceScripts.Inittab + "\n",
        };
        var allPackages = userland.Prepend(kernel).ToList();
        var stamp = Stamp(settings, allPackages, scripts, hostKeyLine, authorizedKey);

        var existing = DeviceImage.Load(paths.ImageDir);
        if (existing is not null && existing.Stamp == stamp)
        {
            log.Information($"Device image for {board.Name} is up to date ({paths.ImageDir})");
            return existing;
        }

        log.Information(existing is null
            ? $"Building the device image for {board.Name}: kernel {kernel}, {string.Join(", ", userland)}"
            : $"Rebuilding the device image for {board.Name}: {WhatChanged(existing, allPackages)}");

        var unpacked = Unpack(allPackages, cache);
        var kernelRoot = unpacked[kernel];
        var release = kernel.Name["linux-image-".Length..];

        var tree = new RootfsTree();
        AddBase(tree, board, scripts, paths, authorizedKey);
        AddModules(tree, board, kernelRoot, release, settings.NicModules);
        var roots = userland.Select(p => unpacked[p]).ToList();
        AddPrograms(tree, roots, [.. settings.Sftp ? [.. Programs, .. SftpPrograms] : Programs, .. AppLibraryFiles(roots, options.AppLibraries)]);

        // Assembled beside the image folder and swapped in whole: a failed or interrupted build
        // leaves the previous image (and its stamp) untouched.
        var vmlinuz = Path.Combine(kernelRoot, "boot", $"vmlinuz-{release}");
        if (!File.Exists(vmlinuz))
        {
            throw new CrossboardException($"{kernel.Spec} has no boot/vmlinuz-{release}; check kernel-flavour in {board.SourceFile}.");
        }

        var temp = paths.ImageDir + $".building-{Environment.ProcessId}";
        DeleteDirectory(temp);
        Directory.CreateDirectory(temp);
        try
        {
            File.Copy(vmlinuz, Path.Combine(temp, "vmlinuz"));
            tree.WriteCpioGz(Path.Combine(temp, "initramfs.cpio.gz"));
        }
        catch
        {
            DeleteDirectory(temp);
            throw;
        }

        var image = new DeviceImage(
            board.Name,
            Path.Combine(paths.ImageDir, "vmlinuz"),
            Path.Combine(paths.ImageDir, "initramfs.cpio.gz"),
            release,
            SshKeys.Fingerprint(hostKeyLine),
            deployKey,
            allPackages.Select(p => p.ToString()).ToList(),
            settings.Sftp,
            stamp);
        image.Save(temp);

        var old = paths.ImageDir + $".old-{Environment.ProcessId}";
        if (Directory.Exists(paths.ImageDir))
        {
            Directory.Move(paths.ImageDir, old);
        }

        Directory.Move(temp, paths.ImageDir);
        DeleteDirectory(old);
        log.Information($"Device image for {board.Name}: {paths.ImageDir} (kernel {release}, initramfs {ProgressLine.Size(new FileInfo(image.Initramfs).Length)}, host key {image.HostKeyFingerprint})");
        return image;
    }

    /// <summary>Downloads and unpacks each package once into the cache; returns each one's folder.</summary>
    private Dictionary<PackageVersion, string> Unpack(IReadOnlyList<PackageVersion> list, string cache)
    {
        using var guard = WorkDirLock.Acquire(cache, "Debian package cache", TimeSpan.FromMinutes(15), log.Information);
        var result = new Dictionary<PackageVersion, string>();
        var debs = Path.Combine(cache, "debs");
        foreach (var package in list)
        {
            var dir = Path.Combine(cache, package.FolderName);
            if (!File.Exists(Path.Combine(dir, ".complete")))
            {
                log.Information($"Downloading {package.Spec}");
                var deb = packages.Download(package.Spec, debs);
                var temp = dir + ".unpacking";
                DeleteDirectory(temp);
                DebianPackages.Extract(deb, temp);
                File.WriteAllText(Path.Combine(temp, ".complete"), package.Spec + "\n");
                DeleteDirectory(dir);
                Directory.Move(temp, dir);
                if (DebianPackages.SharedCache is null)
                {
                    File.Delete(deb); // unpacked is all we use; a kernel .deb is 45 MB (a shared cache keeps it for the other work dirs)
                }
            }

            result[package] = dir;
        }

        return result;
    }

    private static void AddBase(RootfsTree tree, Board board, IReadOnlyDictionary<string, string> scripts, EmulatorPaths paths, string authorizedKey)
    {
        const int Exec = 0b111_101_101;
        const int Private = 0b110_000_000;
        const int PrivateDir = 0b111_000_000;
        foreach (var dir in new[] { "bin", "sbin", "usr/bin", "usr/sbin", "lib/modules", "etc/dropbear", "proc", "sys", "dev", "mnt" })
        {
            tree.Directory(dir);
        }

        tree.Directory("tmp", 0b1_111_111_111); // sticky, world-writable
        tree.Symlink("var", "tmp");              // like OpenWrt: /var is /tmp, so /var/run is /tmp/run
        tree.CharDevice("dev/console", 5, 1, Private);
        tree.CharDevice("dev/null", 1, 3, 0b110_110_110);
        tree.Symlink("bin/sh", "busybox");
        tree.Symlink("sbin/init", "../bin/busybox");
        tree.Text("init", scripts["init"], Exec);
        tree.Text("etc/init.d/rcS", scripts["etc/init.d/rcS"], Exec);
        tree.Text("etc/inittab", scripts["etc/inittab"]);
        tree.Text("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
        tree.Text("etc/group", "root:x:0:\n");
        tree.Text("etc/shells", "/bin/sh\n/bin/ash\n");
        tree.Text("etc/hostname", board.Name + "\n");
        tree.Bytes("etc/dropbear/dropbear_ed25519_host_key", SshKeys.ToDropbearEd25519(File.ReadAllText(paths.HostKey)), Private);
        // dropbear refuses authorized_keys that others could have written: root-only modes.
        tree.Directory("root", PrivateDir);
        tree.Directory("root/.ssh", PrivateDir);
        tree.Text("root/.ssh/authorized_keys", authorizedKey + "\n", Private);
    }

    private static void AddModules(RootfsTree tree, Board board, string kernelRoot, string release, IReadOnlyList<string> modules)
    {
        var moduleDir = Path.Combine(kernelRoot, "lib", "modules", release);
        foreach (var module in modules)
        {
            var file = Directory.Exists(moduleDir)
                ? Directory.EnumerateFiles(moduleDir, module + ".ko", SearchOption.AllDirectories).FirstOrDefault()
                : null;
            if (file is null)
            {
                throw new CrossboardException(
                    $"{board.SourceFile}: [emulator] nic-modules names '{module}', but linux-image-{release} has no {module}.ko. " +
                    $"Use the module names under {moduleDir} (e.g. mii, pcnet32 for nic = \"pcnet\").");
            }

            tree.File($"lib/modules/{module}.ko", file, 0b110_100_100);
        }
    }

    /// <summary>
    /// The app's libraries in the unpacked packages: each declared library's sonames (which must be
    /// there), and the runtime a dynamically linked Rust program on glibc loads beside them (gcc's
    /// unwinder, glibc's libm and its compatibility stubs) where the packages have it.
    /// </summary>
    private static IEnumerable<string> AppLibraryFiles(IReadOnlyList<string> packageRoots, IReadOnlyList<Toolchains.CLibrary> libraries)
    {
        if (libraries.Count == 0)
        {
            yield break;
        }

        foreach (var library in libraries)
        {
            foreach (var soname in library.Sonames)
            {
                yield return FindLibrary(packageRoots, soname) ?? throw new CrossboardException(
                    $"The app declares {library.Name} ({library.What}), but none of the image's packages has {soname}, though {library.DebianRuntime} should. Report this with the package list.");
            }
        }

        foreach (var soname in RustRuntimeSonames)
        {
            if (FindLibrary(packageRoots, soname) is { } found)
            {
                yield return found;
            }
        }
    }

    /// <summary>Debian's package with gcc's runtime (libgcc_s: Rust's std unwinds with it when linked dynamically).</summary>
    private const string GccRuntime = "libgcc-s1";

    private static readonly string[] RustRuntimeSonames = ["libgcc_s.so.1", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1", "libutil.so.1"];

    /// <summary>The programs, then every file their ELF headers ask for (loader, libraries), transitively.</summary>
    private static void AddPrograms(RootfsTree tree, IReadOnlyList<string> packageRoots, IEnumerable<string> programs)
    {
        var pending = new Queue<(string Path, string NeededBy)>(programs.Select(p => (p, "the image")));
        var elves = new Queue<(string Path, string Source)>();
        while (pending.Count > 0 || elves.Count > 0)
        {
            while (pending.TryDequeue(out var item))
            {
                AddFile(tree, packageRoots, item.Path, item.NeededBy, elves);
            }

            if (!elves.TryDequeue(out var elf))
            {
                continue;
            }

            if (!Artifacts.ElfFile.HasMagic(elf.Source))
            {
                continue; // a script or data: it loads nothing
            }

            Artifacts.ElfFile linkage;
            try
            {
                linkage = Artifacts.ElfFile.Read(elf.Source);
            }
            catch (Artifacts.ElfFormatException)
            {
                throw new CrossboardException($"{elf.Source} is not a valid ELF file; delete the package cache folder that holds it and build again.");
            }

            if (linkage.Interpreter is { } interpreter)
            {
                pending.Enqueue((interpreter.TrimStart('/'), "/" + elf.Path));
            }

            foreach (var library in linkage.Needed)
            {
                var found = FindLibrary(packageRoots, library)
                    ?? throw new CrossboardException(
                        $"/{elf.Path} needs {library}, which none of the image's packages has ({string.Join(", ", packageRoots.Select(Path.GetFileName))}). " +
                        "Its Debian package is missing from the image's dependencies: report this with the package list.");
                pending.Enqueue((found, "/" + elf.Path));
            }
        }
    }

    /// <summary>Adds one path from the packages (following symlinks, whose targets are added too).</summary>
    private static void AddFile(RootfsTree tree, IReadOnlyList<string> packageRoots, string path, string neededBy, Queue<(string, string)> elves)
    {
        for (var hops = 0; hops < 16; hops++)
        {
            if (tree.Contains(path))
            {
                return;
            }

            var source = packageRoots.Select(root => Path.Combine(root, path)).FirstOrDefault(Exists)
                ?? throw new CrossboardException($"None of the image's packages has /{path} (needed by {neededBy}).");
            var link = new FileInfo(source).LinkTarget;
            if (link is null)
            {
                tree.File(path, source, OperatingSystem.IsWindows() ? 0b111_101_101 : (int)File.GetUnixFileMode(source) & 0xFFF);
                elves.Enqueue((path, source));
                return;
            }

            tree.Symlink(path, link);
            var slash = path.LastIndexOf('/');
            var parent = slash < 0 ? "" : path[..slash];
            path = Normalize(link.StartsWith('/') ? link : parent + "/" + link);
        }

        throw new CrossboardException($"/{path}: too many symbolic links.");
    }

    private static string Normalize(string path)
    {
        var parts = new List<string>();
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }
            }
            else if (part != ".")
            {
                parts.Add(part);
            }
        }

        return string.Join('/', parts);
    }

    /// <summary>Where the dynamic loader would find <paramref name="library"/>: /lib, /usr/lib and their multiarch folders.</summary>
    private static string? FindLibrary(IReadOnlyList<string> packageRoots, string library)
    {
        foreach (var root in packageRoots)
        {
            foreach (var top in new[] { "lib", "usr/lib" })
            {
                var dir = Path.Combine(root, top);
                if (!Directory.Exists(dir))
                {
                    continue;
                }

                var candidates = Directory.EnumerateDirectories(dir)
                    .Where(d => Path.GetFileName(d).Contains("-linux-", StringComparison.Ordinal))
                    .Prepend(dir);
                foreach (var candidate in candidates)
                {
                    if (Exists(Path.Combine(candidate, library)))
                    {
                        return Path.GetRelativePath(root, Path.Combine(candidate, library)).Replace('\\', '/');
                    }
                }
            }
        }

        return null;
    }

    private static bool Exists(string path) => File.Exists(path) || new FileInfo(path).LinkTarget is not null;

    private static string Stamp(EmulatorSettings settings, IEnumerable<PackageVersion> list, IReadOnlyDictionary<string, string> scripts, string hostKey, string authorizedKey)
    {
        var text = new StringBuilder()
            .AppendLine($"layout {Layout}")
            .AppendLine($"modules {string.Join(' ', settings.NicModules)}")
            .AppendLine($"sftp {settings.Sftp}")
            .AppendLine($"host-key {hostKey}")
            .AppendLine($"authorized {authorizedKey}");
        foreach (var package in list)
        {
            text.AppendLine($"package {package.Spec}");
        }

        foreach (var (name, content) in scripts.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            text.AppendLine($"script {name} {Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)))}");
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static string WhatChanged(DeviceImage existing, IEnumerable<PackageVersion> now)
    {
        var changed = now.Select(p => p.ToString()).Except(existing.Packages).ToList();
        return changed.Count > 0 ? $"new package versions {string.Join(", ", changed)}" : "its boot scripts, keys or recipe settings changed";
    }

    private static void DeleteDirectory(string dir)
    {
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
