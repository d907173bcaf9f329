using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Crossboard.Machine;

namespace Crossboard.Emulator;

/// <summary>One Debian package at the version apt would pick now.</summary>
public sealed record PackageVersion(string Name, string Version, string Arch)
{
    /// <summary>name:arch=version, what apt-get download takes.</summary>
    public string Spec => $"{Name}:{Arch}={Version}";

    /// <summary>A folder name for the unpacked package (epochs' ':' is not welcome in paths).</summary>
    public string FolderName => $"{Name}_{Version.Replace(':', '%')}";

    public override string ToString() => $"{Name}={Version}";
}

/// <summary>The image's packages: the kernel and the userland with its libraries.</summary>
public sealed record ResolvedPackages(PackageVersion Kernel, IReadOnlyList<PackageVersion> Userland);

/// <summary>
/// Resolves the image's packages against apt's index for the device's architecture: the kernel
/// (linux-image-&lt;flavour&gt;'s current ABI package) and the userland packages with the shared
/// libraries they depend on. The versions found are the image's identity: a point release that
/// changes one of them makes the next build assemble a new image.
/// </summary>
public sealed class ImagePackages(string arch, IBuildLog log)
{
    private const string AptLists = "/var/lib/apt/lists";

    /// <summary>
    /// Resolves, or reuses the last resolution while apt's index files are unchanged: apt-cache
    /// takes ~0.7 s a call where the package cache is disabled (Debian's container images), and
    /// an up-to-date image must be quick to confirm.
    /// </summary>
    /// <param name="kernelFlavour">e.g. 4kc-malta.</param>
    /// <param name="roots">The packages the image takes files from.</param>
    /// <param name="filesOnly">Roots whose dependencies are not followed (a package taken for one program whose own libraries are few).</param>
    /// <param name="cacheDir">Where the answer is kept (the shared package cache's, CROSSBOARD_DEB_CACHE, when there is one: the answer is apt's, not the work dir's).</param>
    public ResolvedPackages Resolve(string kernelFlavour, IReadOnlyList<string> roots, IReadOnlyCollection<string> filesOnly, string cacheDir)
    {
        cacheDir = DebianPackages.SharedCache is { } shared ? Path.Combine(shared, "emulator-resolved", arch) : cacheDir;
        _aptCacheDir = cacheDir;
        // One file per question, beside the unpacked packages: boards and work dirs sharing the
        // package cache share the answers too.
        var text = $"{arch} {kernelFlavour} {string.Join(' ', roots)} | {string.Join(' ', filesOnly)}";
        var question = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
        var cacheFile = Path.Combine(cacheDir, $"resolved-{question}.json");
        var key = IndexFingerprint(text);
        if (key is not null && File.Exists(cacheFile))
        {
            try
            {
                var cached = JsonSerializer.Deserialize(File.ReadAllText(cacheFile), EmulatorJson.Reading.CachedResolution);
                if (cached?.Key == key)
                {
                    return cached.Packages;
                }
            }
            catch (JsonException)
            {
                // Resolve again below.
            }
        }

        var resolved = ResolveNow(kernelFlavour, roots, filesOnly);
        if (key is not null)
        {
            Directory.CreateDirectory(cacheDir);
            var temp = cacheFile + $".{Environment.ProcessId}.tmp";
            File.WriteAllText(temp, JsonSerializer.Serialize(new CachedResolution(key, resolved), EmulatorJson.Reading.CachedResolution));
            File.Move(temp, cacheFile, overwrite: true);
        }

        return resolved;
    }

    internal sealed record CachedResolution(string Key, ResolvedPackages Packages);

    /// <summary>
    /// <paramref name="roots"/> and, recursively, the library packages (lib*, zlib*) they depend
    /// on: that is where the shared objects their programs load come from. Tools a package's
    /// maintainer scripts need (adduser, passwd) stay out: the image takes files, not packages.
    /// One apt-cache call per level of the dependency tree.
    /// </summary>
    private ResolvedPackages ResolveNow(string kernelFlavour, IReadOnlyList<string> roots, IReadOnlyCollection<string> filesOnly)
    {
        var meta = $"linux-image-{kernelFlavour}";
        var userland = new List<PackageVersion>();
        PackageVersion? kernel = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var level = roots.Append(meta).ToList();
        var first = true;
        string? kernelImage = null;
        while (level.Count > 0)
        {
            var records = Show(level);
            var next = new List<string>();
            foreach (var name in level)
            {
                seen.Add(name);
                if (!records.TryGetValue(name, out var record))
                {
                    if (first)
                    {
                        throw new CrossboardException(
                            $"apt knows no {arch} package '{name}'. Run: sudo dpkg --add-architecture {arch} && sudo apt-get update, then try again" +
                            (name == meta ? $" (or check kernel-flavour = \"{kernelFlavour}\" in the board's [emulator] table)." : "."));
                    }

                    // A virtual or foreign-only dependency: if a program needs a library from it,
                    // the image's library check names the library.
                    log.Verbose($"Skipping {name}:{arch} (apt has no {arch} package of that name)");
                    continue;
                }

                if (name == meta)
                {
                    kernelImage = record.Depends.FirstOrDefault(d => d.StartsWith("linux-image-", StringComparison.Ordinal))
                        ?? throw new CrossboardException($"{meta}:{arch} names no kernel package in its dependencies; check kernel-flavour in the board's [emulator] table.");
                    next.Add(kernelImage);
                    continue;
                }

                if (name == kernelImage)
                {
                    kernel = new PackageVersion(name, record.Version, arch);
                    continue;
                }

                userland.Add(new PackageVersion(name, record.Version, arch));
                if (!filesOnly.Contains(name))
                {
                    next.AddRange(record.Depends.Where(d => IsLibraryPackage(d) && !seen.Contains(d)));
                }
            }

            level = next.Distinct().Where(n => !seen.Contains(n)).ToList();
            first = false;
        }

        return new ResolvedPackages(
            kernel ?? throw new CrossboardException($"apt knows no {arch} package '{kernelImage}' (the kernel {meta} depends on); run sudo apt-get update."),
            userland);
    }

    private static bool IsLibraryPackage(string name) => name.StartsWith("lib", StringComparison.Ordinal) || name.StartsWith("zlib", StringComparison.Ordinal);

    private sealed record Record(string Version, IReadOnlyList<string> Depends);

    /// <summary>The candidate record of each name:arch apt knows: version and Depends/Pre-Depends (first alternative of each).</summary>
    private string? _aptCacheDir;

    private Dictionary<string, Record> Show(IReadOnlyList<string> names)
    {
        // apt's binary cache of its lists, kept beside the answers: where the system's is disabled
        // (Debian's container images), each apt-cache call would parse every list again (~2 s
        // here); with one, the first call builds it and the next take a fraction. apt checks it
        // against the lists and rebuilds it after an update.
        string[] cache = _aptCacheDir is { } dir && Directory.CreateDirectory(dir).Exists
            ? ["-o", $"Dir::Cache::pkgcache={Path.Combine(dir, "apt-pkgcache.bin")}", "-o", $"Dir::Cache::srcpkgcache={Path.Combine(dir, "apt-srcpkgcache.bin")}"]
            : [];
        var result = ProcessRunner.Run(new ProcessSpec("apt-cache", [.. cache, "show", "--no-all-versions", .. names.Select(n => $"{n}:{arch}")]));
        var records = new Dictionary<string, Record>(StringComparer.Ordinal);
        string? name = null;
        var version = "";
        var depends = new List<string>();
        void Flush()
        {
            if (name is not null && version.Length > 0)
            {
                records.TryAdd(name, new Record(version, depends));
            }

            name = null;
            version = "";
            depends = new List<string>();
        }

        foreach (var line in result.StandardOutput.Split('\n'))
        {
            if (line.Trim().Length == 0)
            {
                Flush();
            }
            else if (line.StartsWith("Package: ", StringComparison.Ordinal))
            {
                name = line["Package: ".Length..].Trim();
            }
            else if (line.StartsWith("Version: ", StringComparison.Ordinal))
            {
                version = line["Version: ".Length..].Trim();
            }
            else if (line.StartsWith("Depends: ", StringComparison.Ordinal) || line.StartsWith("Pre-Depends: ", StringComparison.Ordinal))
            {
                depends.AddRange(line[(line.IndexOf(':') + 1)..]
                    .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(d => d.Split('|')[0].Trim().Split(' ')[0].Split(':')[0]));
            }
        }

        Flush();
        return records;
    }

    /// <summary>A hash of apt's index files for the arch (names, sizes, times) and the question; null when they cannot be read.</summary>
    private string? IndexFingerprint(string question)
    {
        if (!Directory.Exists(AptLists))
        {
            return null;
        }

        var text = new StringBuilder(question + "\n");
        try
        {
            // Only the indexes that can answer for this arch: another arch's update is not a change.
            foreach (var file in Directory.GetFiles(AptLists)
                         .Where(f => Path.GetFileName(f).Contains($"binary-{arch}_", StringComparison.Ordinal) || Path.GetFileName(f).Contains("binary-all_", StringComparison.Ordinal))
                         .Order(StringComparer.Ordinal))
            {
                var info = new FileInfo(file);
                text.Append($"{info.Name} {info.Length} {info.LastWriteTimeUtc.Ticks}\n");
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
