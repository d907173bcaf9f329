using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cake.Git;
using Crossboard.Machine;
using Crossboard.Sdk;

namespace Crossboard.Toolchains;

/// <summary>
/// An OpenWrt tree or SDK that builds target C libraries into its staging_dir.
/// </summary>
/// <param name="Root">The tree (sdk/&lt;toolchain&gt;) or the unpacked SDK: where scripts/feeds and the top Makefile are.</param>
/// <param name="What">For messages: "the OpenWrt tree /x" or "the prebuilt SDK /y".</param>
/// <param name="Revision">What the tree is: its commit, or the SDK's name; a stamp of another revision is stale.</param>
/// <param name="StampDir">Where the per-package stamps go (one folder per staging_dir/target-*).</param>
/// <param name="LockDir">The lock held while building (the tree's own lock for a source tree, so BuildToolchain and this never overlap).</param>
/// <param name="Layout">The work dir's layout for this toolchain: logs, the shared dl/.</param>
/// <param name="ConfigChanged">Told (before, after) when .config was changed here: a seeded tree keeps its verification.</param>
public sealed record OpenWrtBuildTree(
    string Root,
    string What,
    string Revision,
    string StampDir,
    string LockDir,
    SdkLayout Layout,
    Action<string, string>? ConfigChanged = null);

/// <summary>
/// OpenWrt's way to target C libraries, in an OpenWrt tree or its prebuilt SDK: the feed that has
/// the package updated (`./scripts/feeds update &lt;feed&gt;`, only when it is not there yet) and the
/// package installed from it (`./scripts/feeds install`; a package of the tree's own package/ needs
/// neither), selected in .config (CONFIG_PACKAGE_&lt;pkg&gt;=m, then make defconfig, checked: defconfig
/// silently drops a symbol it does not know), its sources checked first (`make -k
/// package/&lt;pkg&gt;/download` with curl's retries off: offline it fails in seconds and names each
/// missing tarball), then `make package/&lt;pkg&gt;/compile`, which stages headers, .so/.a and .pc
/// files in staging_dir/target-*/usr. A stamp per package and staging_dir, keyed by the tree's
/// revision, the feed's revision and the package's Makefile, is written only after its files are
/// there: a second run runs neither make nor the feeds script.
/// </summary>
public sealed class OpenWrtTargetLibraries(ICommandRunner runner, IBuildLog log)
{
    /// <summary>make's -j for the packages' compile.</summary>
    public int Jobs { get; init; } = Environment.ProcessorCount;

    public TargetLibraries Provide(CLibrariesRequest request, OpenWrtBuildTree tree)
    {
        var staging = request.Toolchain.Environment.TryGetValue("STAGING_DIR", out var dir) && Path.GetFileName(dir).StartsWith("target-", StringComparison.Ordinal)
            ? dir
            : throw new CrossboardException(
                $"The {request.Definition.Name} toolchain names no staging_dir/target-* (STAGING_DIR is '{dir}'), where OpenWrt stages the target's libraries. Run --target=BuildToolchain again; if it stays, the tree's layout is not OpenWrt's.");
        var libraries = CLibraries.WithStaticNeeds(request.Libraries.Select(l => l.Library), request.Static);
        var stampDir = Path.Combine(tree.StampDir, Path.GetFileName(staging));

        var pending = libraries.Where(l => !IsStamped(l, tree, staging, stampDir, request.Static)).ToList();
        if (pending.Count == 0)
        {
            return Result(libraries, staging, request.Static, reused: true);
        }

        using (WorkDirLock.Acquire(tree.LockDir, $"target C libraries in {tree.Root}", SdkWorkspace.DefaultLockWait, log.Information))
        {
            pending = pending.Where(l => !IsStamped(l, tree, staging, stampDir, request.Static)).ToList(); // another run may have built them meanwhile
            if (pending.Count > 0)
            {
                Build(request, tree, staging, stampDir, pending);
            }
        }

        return Result(libraries, staging, request.Static, reused: false);
    }

    private void Build(CLibrariesRequest request, OpenWrtBuildTree tree, string staging, string stampDir, List<CLibrary> pending)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var logFile = tree.Layout.Log("c-libraries");
        Directory.CreateDirectory(Path.GetDirectoryName(logFile)!);
        File.Delete(logFile);
        var names = string.Join(", ", pending.Select(l => l.OpenWrtBuild!.Package));
        log.Information($"Building the target C libraries {names} the OpenWrt way in {tree.What} (feeds, .config, make package/<pkg>/compile; log: {logFile})");

        foreach (var library in pending)
        {
            EnsureInstalled(request, tree, library, logFile);
        }

        SelectPackages(request, tree, staging, pending, logFile);
        OpenWrtSourceToolchain.LinkDownloadCache(tree.Root, tree.Layout.DownloadDir);
        var sources = pending.Select(l => l.OpenWrtBuild!.Source).Distinct().ToList();
        Preflight(request, tree, sources, logFile);
        Compile(request, tree, sources, logFile);

        foreach (var library in pending)
        {
            if (Missing(library, staging, request.Static) is { } missing)
            {
                throw new CrossboardException(
                    $"{Where(request, library)}: make package/{library.OpenWrtBuild!.Source}/compile succeeded, but {missing} is not in {staging}. " +
                    $"Is CONFIG_PACKAGE_{library.OpenWrtBuild.Package} still selected in {Path.Combine(tree.Root, ".config")}, and does the package's Build/InstallDev stage it? Nothing was stamped.",
                    logFile);
            }

            WriteStamp(stampDir, library, StampKey(library, tree, staging)!);
        }

        log.Information($"Target C libraries {names} staged in {staging} ({watch.Elapsed.TotalSeconds:0.0} s)");
    }

    /// <summary>The package's folder in the tree: the base tree's package/... or, installed from a feed, package/feeds/&lt;feed&gt;/&lt;source&gt;.</summary>
    private static string? PackageDir(string root, OpenWrtSourcePackage package)
    {
        var fromFeed = Path.Combine(root, "package", "feeds", package.Feed, package.Source);
        if (File.Exists(Path.Combine(fromFeed, "Makefile")))
        {
            return fromFeed;
        }

        return CorePackageDir(root, package.Source);
    }

    /// <summary>A package of the tree itself (package/libs/zlib in a source tree; an SDK has none): found within four levels of package/, feeds left out.</summary>
    private static string? CorePackageDir(string root, string source)
    {
        var packages = Path.Combine(root, "package");
        if (!Directory.Exists(packages))
        {
            return null;
        }

        var options = new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 3, AttributesToSkip = FileAttributes.ReparsePoint };
        return Directory.EnumerateDirectories(packages, source, options)
            .Where(d => !Path.GetRelativePath(packages, d).StartsWith("feeds" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "Makefile")));
    }

    /// <summary>The feed's package installed into package/feeds/ (the feed updated first when it is not there or lacks it); nothing for a package of the tree's own.</summary>
    private void EnsureInstalled(CLibrariesRequest request, OpenWrtBuildTree tree, CLibrary library, string logFile)
    {
        var package = library.OpenWrtBuild!;
        if (PackageDir(tree.Root, package) is not null)
        {
            return;
        }

        var (confFile, feeds) = Feeds(tree.Root);
        var feed = feeds.FirstOrDefault(f => f.Name == package.Feed);
        if (feed is null)
        {
            throw new CrossboardException(
                $"{Where(request, library)}: {library.What} is OpenWrt's package {package.Package} (source package {package.Source}) in the '{package.Feed}' feed, and {confFile} lists no feed '{package.Feed}' " +
                $"(it lists: {(feeds.Count > 0 ? string.Join(", ", feeds.Select(f => f.Name)) : "none")}). What to do: add the feed to {Path.Combine(tree.Root, "feeds.conf")} " +
                $"({(package.Feed == "packages" ? "src-git packages https://git.openwrt.org/feed/packages.git;openwrt-24.10" : $"a src-git or src-link line named {package.Feed}")}), then run again.");
        }

        if (!FeedHas(tree.Root, feed.Name, package.Source))
        {
            log.Information($"Updating the '{feed.Name}' feed: ./scripts/feeds update {feed.Name} ({feed.Type} {feed.Source})");
            var update = Feeds(tree.Root, logFile, request.Cancellation, "update", feed.Name);
            if (!update.Succeeded || !Directory.Exists(Path.Combine(tree.Root, "feeds", feed.Name)))
            {
                throw new CrossboardException(
                    $"{Where(request, library)}: {library.What} comes from the '{feed.Name}' feed, which cannot be fetched: `./scripts/feeds update {feed.Name}` in {tree.Root} failed " +
                    $"({feed.Type} {feed.Source}: offline, or the server is down). {ProcessRunner.TailOf(update.StandardError + update.StandardOutput, 3)}{Environment.NewLine}" +
                    $"What to do: when the network is back, run again; or point the feed at a copy that is here, in {Path.Combine(tree.Root, "feeds.conf")} " +
                    $"(`src-link {feed.Name} /path/to/a/clone`, or `src-git {feed.Name} file:///path/to/a/clone`), then run again. Nothing was built or stamped.",
                    logFile);
            }

            if (!FeedHas(tree.Root, feed.Name, package.Source))
            {
                throw new CrossboardException(
                    $"{Where(request, library)}: the '{feed.Name}' feed ({feed.Source}) has no source package {package.Source} (for {package.Package}); its index is {Path.Combine(tree.Root, "feeds", feed.Name + ".index")}. " +
                    "Is the feed's branch the one of this OpenWrt release? Nothing was built or stamped.", logFile);
            }
        }

        log.Information($"Installing {package.Source} from the '{feed.Name}' feed: ./scripts/feeds install -p {feed.Name} {package.Source}");
        var install = Feeds(tree.Root, logFile, request.Cancellation, "install", "-p", feed.Name, package.Source);
        if (!install.Succeeded || PackageDir(tree.Root, package) is null)
        {
            // scripts/feeds exits 0 after "WARNING: No feed for package": the link decides.
            throw new CrossboardException(
                $"{Where(request, library)}: `./scripts/feeds install -p {feed.Name} {package.Source}` in {tree.Root} did not install it into package/feeds/{feed.Name}/{package.Source}: " +
                $"{ProcessRunner.TailOf(install.StandardError + install.StandardOutput, 3)} Nothing was built or stamped.", logFile);
        }
    }

    private ProcessResult Feeds(string root, string logFile, CancellationToken cancellation, params string[] args) =>
        runner.Run(new ProcessSpec(Path.Combine(root, "scripts", "feeds"), args) { WorkingDirectory = root, LogFile = logFile }, cancellation);

    /// <summary>Whether feeds/&lt;feed&gt;.index lists the source package (its Makefile's folder).</summary>
    private static bool FeedHas(string root, string feed, string source)
    {
        var index = Path.Combine(root, "feeds", feed + ".index");
        return Directory.Exists(Path.Combine(root, "feeds", feed)) && File.Exists(index) &&
               File.ReadLines(index).Any(l => l.StartsWith("Source-Makefile: ", StringComparison.Ordinal) && l.TrimEnd().EndsWith($"/{source}/Makefile", StringComparison.Ordinal));
    }

    private sealed record Feed(string Type, string Name, string Source);

    /// <summary>The feeds as scripts/feeds reads them: feeds.conf when there is one, else feeds.conf.default.</summary>
    private static (string File, List<Feed> Feeds) Feeds(string root)
    {
        var file = Path.Combine(root, "feeds.conf");
        if (!File.Exists(file))
        {
            file = Path.Combine(root, "feeds.conf.default");
        }

        var feeds = File.Exists(file)
            ? File.ReadLines(file)
                .Select(l => l.Trim())
                .Where(l => l.Length > 0 && !l.StartsWith('#'))
                .Select(l => l.Split((char[]?)null, 3, StringSplitOptions.RemoveEmptyEntries))
                .Where(p => p.Length == 3)
                .Select(p => new Feed(p[0], p[1], p[2]))
                .ToList()
            : [];
        return (file, feeds);
    }

    /// <summary>
    /// CONFIG_PACKAGE_&lt;pkg&gt;=m for those not selected yet, then make defconfig, which silently drops a
    /// symbol it does not know: each is checked, and the .config is for the toolchain's staging_dir.
    /// </summary>
    private void SelectPackages(CLibrariesRequest request, OpenWrtBuildTree tree, string staging, List<CLibrary> pending, string logFile)
    {
        var configPath = Path.Combine(tree.Root, ".config");
        var before = File.Exists(configPath) ? File.ReadAllText(configPath) : "";
        var config = DotConfig.Parse(before.Split('\n'));
        var wanted = pending.Select(l => l.OpenWrtBuild!.Package).Distinct().ToList();
        var toSelect = wanted.Where(p => config[$"CONFIG_PACKAGE_{p}"] is not ("y" or "m")).ToList();
        if (toSelect.Count > 0 || before.Length == 0)
        {
            log.Information($"Selecting {string.Join(", ", toSelect.Select(p => $"CONFIG_PACKAGE_{p}=m"))} in {configPath} and running make defconfig");
            File.WriteAllText(configPath, before + (before.Length > 0 && !before.EndsWith('\n') ? "\n" : "") + string.Concat(toSelect.Select(p => $"CONFIG_PACKAGE_{p}=m\n")));
            var defconfig = new ProcessSpec("make", "defconfig") { WorkingDirectory = tree.Root, LogFile = logFile };
            var run = runner.Run(defconfig, request.Cancellation);
            var after = DotConfig.Read(configPath);
            var dropped = wanted.Where(p => after[$"CONFIG_PACKAGE_{p}"] is not ("y" or "m")).ToList();
            if (!run.Succeeded || dropped.Count > 0)
            {
                File.WriteAllText(configPath, before); // nothing half-done: the .config it had
                OpenWrtPrerequisites.ThrowIfCheckFailed(defconfig, run);
                if (!run.Succeeded)
                {
                    throw ProcessRunner.Failure(defconfig, run, $"make defconfig failed in {tree.Root}");
                }

                throw new CrossboardException(
                    $"make defconfig in {tree.Root} dropped {string.Join(", ", dropped.Select(p => $"CONFIG_PACKAGE_{p}=m"))} (it exits 0 and silently leaves out a symbol it does not know, or whose dependencies are not met): " +
                    $"is the package in package/ or package/feeds/? Check with `make menuconfig` (search with /). The .config is as it was; nothing was built or stamped.", logFile);
            }

            tree.ConfigChanged?.Invoke(before, File.ReadAllText(configPath));
        }

        var resolved = DotConfig.Read(configPath);
        var expected = $"target-{resolved.String("CONFIG_ARCH")}{(resolved.String("CONFIG_CPU_TYPE") is { Length: > 0 } cpu ? "_" + cpu : "")}_{resolved.String("CONFIG_LIBC")}";
        var actual = Path.GetFileName(staging);
        if (actual != expected && !actual.StartsWith(expected + "_", StringComparison.Ordinal))
        {
            throw new CrossboardException(
                $"{configPath} is configured for {expected[7..]} (arch, CPU, libc), but the {request.Definition.Name} toolchain of board {request.Board.Name} stages into {actual}: " +
                $"the tree was seeded for another board. Run without --exclusive, so that SeedConfig and BuildToolchain run for {request.Board.Name} first. Nothing was built.");
        }
    }

    /// <summary>`make -k package/&lt;pkg&gt;/download` with curl's retries off: every missing source tarball named in seconds, with where it was looked for.</summary>
    private void Preflight(CLibrariesRequest request, OpenWrtBuildTree tree, List<string> sources, string logFile)
    {
        var before = File.Exists(logFile) ? new FileInfo(logFile).Length : 0;
        log.Information($"Checking that the source tarballs of {string.Join(", ", sources)} are in {tree.Layout.DownloadDir} or can be downloaded");
        var curlOptions = ((Environment.GetEnvironmentVariable("CURL_OPTIONS") ?? "") + " --retry 0").Trim();
        var spec = new ProcessSpec("make", ["-k", .. sources.Select(s => $"package/{s}/download"), "V=s"])
        {
            WorkingDirectory = tree.Root,
            LogFile = logFile,
            Environment = { ["CURL_OPTIONS"] = curlOptions },
        };
        var result = runner.Run(spec, request.Cancellation);
        if (result.Succeeded)
        {
            return;
        }

        OpenWrtPrerequisites.ThrowIfCheckFailed(spec, result);
        throw MissingSources(spec, result, tree, logFile, before, "The download check (make -k package/<pkg>/download)");
    }

    private void Compile(CLibrariesRequest request, OpenWrtBuildTree tree, List<string> sources, string logFile)
    {
        var before = File.Exists(logFile) ? new FileInfo(logFile).Length : 0;
        log.Information($"Compiling: make {string.Join(' ', sources.Select(s => $"package/{s}/compile"))} -j{Jobs} in {tree.Root}");
        var progress = new ProgressLine("Compiling the target C libraries", log, TimeSpan.FromSeconds(5));
        var root = Path.GetFullPath(tree.Root).TrimEnd('/') + "/";
        var failed = new List<string>();
        var curlOptions = ((Environment.GetEnvironmentVariable("CURL_OPTIONS") ?? "") + " --retry 0").Trim();
        var spec = new ProcessSpec("make", [.. sources.Select(s => $"package/{s}/compile"), $"-j{Jobs}", "V=s"])
        {
            WorkingDirectory = tree.Root,
            LogFile = logFile,
            Environment = { ["CURL_OPTIONS"] = curlOptions }, // a dependency's missing source fails at once, as in the check before
            OnLine = line =>
            {
                var entering = Regex.Match(line, @"Entering directory '(?<dir>[^']+)'");
                if (entering.Success)
                {
                    var path = entering.Groups["dir"].Value;
                    progress.Status(path.StartsWith(root, StringComparison.Ordinal) ? path[root.Length..] : Path.GetFileName(path));
                }

                var error = Regex.Match(line, @"^\s*ERROR: (?<what>\S+) failed to build");
                if (error.Success)
                {
                    lock (failed)
                    {
                        failed.Add(error.Groups["what"].Value);
                    }
                }
            },
        };
        var result = runner.Run(spec, request.Cancellation);
        if (result.Succeeded)
        {
            return;
        }

        OpenWrtPrerequisites.ThrowIfCheckFailed(spec, result);
        var what = failed.Count > 0 ? $" ({string.Join(", ", failed.Distinct())} failed to build)" : "";
        throw MissingSources(spec, result, tree, logFile, before,
            $"Compiling the target C libraries failed{what}. Nothing was stamped; the next run compiles again (make resumes where it stopped). To see the first error in order, run `make package/<pkg>/compile -j1 V=s` in {tree.Root}");
    }

    /// <summary>The clear error for missing source tarballs (each with the URLs tried), or make's failure as it is.</summary>
    private static CrossboardException MissingSources(ProcessSpec spec, ProcessResult result, OpenWrtBuildTree tree, string logFile, long from, string otherwise)
    {
        var output = ReadFrom(logFile, from) is { Length: > 0 } text ? text : result.StandardOutput + result.StandardError;
        var missing = OpenWrtSourceToolchain.MissingDownloads(output);
        if (missing.Count == 0)
        {
            return ProcessRunner.Failure(spec, result, otherwise);
        }

        var lines = missing.Select(file =>
        {
            var tried = Regex.Matches(output, @"^\+ (?:curl|wget)\b.*?(?<url>\S+/" + Regex.Escape(file) + @")\s*$", RegexOptions.Multiline)
                .Select(m => m.Groups["url"].Value).Distinct().ToList();
            return $"  {file}{(tried.Count > 0 ? $" (looked for at {string.Join(", ", tried)})" : "")}";
        });
        return new CrossboardException(
            $"{missing.Count} source file(s) of the target C libraries cannot be downloaded (offline, or the mirrors are down):{Environment.NewLine}" +
            string.Join(Environment.NewLine, lines) + Environment.NewLine +
            $"Put them into {tree.Layout.DownloadDir} (the dl/ of {tree.Root} links there), or point DOWNLOAD_MIRROR at a folder or server that has them (DOWNLOAD_MIRROR=file:///path/to/dl), then run again. Nothing was built or stamped.",
            logFile);
    }

    private static string ReadFrom(string path, long offset)
    {
        if (!File.Exists(path))
        {
            return "";
        }

        using var stream = File.OpenRead(path);
        stream.Seek(Math.Min(offset, stream.Length), SeekOrigin.Begin);
        return new StreamReader(stream).ReadToEnd();
    }

    /// <summary>What a stamp must say for the package to count as built: the tree, the staging_dir, the feed's revision and the package's Makefile.</summary>
    private string? StampKey(CLibrary library, OpenWrtBuildTree tree, string staging)
    {
        var package = library.OpenWrtBuild!;
        if (PackageDir(tree.Root, package) is not { } dir)
        {
            return null;
        }

        var fromFeed = dir.StartsWith(Path.Combine(tree.Root, "package", "feeds") + "/", StringComparison.Ordinal);
        var feedDir = Path.Combine(tree.Root, "feeds", package.Feed);
        var feedRevision = !fromFeed ? "(the tree's own package)" : new GitClient(runner).Head(feedDir) ?? "(not a git feed)";
        var makefile = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(dir, "Makefile"))));
        return new StringBuilder()
            .Append("tree ").AppendLine(tree.Revision)
            .Append("staging ").AppendLine(Path.GetFileName(staging))
            .Append("package ").Append(package.Source).Append(' ').AppendLine(package.Package)
            .Append("feed ").Append(fromFeed ? package.Feed : "-").Append(' ').AppendLine(feedRevision)
            .Append("makefile ").AppendLine(makefile)
            .ToString();
    }

    private bool IsStamped(CLibrary library, OpenWrtBuildTree tree, string staging, string stampDir, bool linkStatic)
    {
        var path = StampPath(stampDir, library);
        if (!File.Exists(path) || Missing(library, staging, linkStatic) is not null)
        {
            return false;
        }

        var stamp = JsonSerializer.Deserialize(File.ReadAllText(path), ToolchainJson.Reading.LibraryStamp);
        return stamp is not null && stamp.Key == StampKey(library, tree, staging);
    }

    private static string StampPath(string stampDir, CLibrary library) => Path.Combine(stampDir, library.OpenWrtBuild!.Source + ".json");

    private static void WriteStamp(string stampDir, CLibrary library, string key)
    {
        Directory.CreateDirectory(stampDir);
        var path = StampPath(stampDir, library);
        File.WriteAllText(path + ".new", JsonSerializer.Serialize(new LibraryStamp(key, DateTime.UtcNow), ToolchainJson.Writing.LibraryStamp));
        File.Move(path + ".new", path, overwrite: true);
    }


    /// <summary>What of the library the build needs and staging_dir lacks (its .pc file, its shared library, or for a static link its archives), or null.</summary>
    private static string? Missing(CLibrary library, string staging, bool linkStatic)
    {
        var lib = Path.Combine(staging, "usr", "lib");
        var needed = new List<string> { Path.Combine(lib, "pkgconfig", library.PkgConfig + ".pc") };
        needed.AddRange(linkStatic ? library.Archives.Select(a => Path.Combine(lib, a)) : library.Sonames.Select(s => Path.Combine(lib, s)));
        return needed.FirstOrDefault(f => !File.Exists(f)) is { } missing ? Path.GetRelativePath(staging, missing) : null;
    }

    private static string Where(CLibrariesRequest request, CLibrary library) =>
        (request.Libraries.FirstOrDefault(d => d.Library == library) ?? request.Libraries[0]).Where;

    /// <summary>staging_dir/target-*: headers in usr/include, libraries in usr/lib and lib, .pc files in usr/lib/pkgconfig (their prefix=/usr under pkg-config's sysroot).</summary>
    private static TargetLibraries Result(List<CLibrary> libraries, string staging, bool linkStatic, bool reused) => new(
        libraries,
        staging,
        [Path.Combine(staging, "usr", "lib"), Path.Combine(staging, "lib")],
        [Path.Combine(staging, "usr", "include")],
        [Path.Combine(staging, "usr", "lib", "pkgconfig"), Path.Combine(staging, "usr", "share", "pkgconfig")],
        linkStatic,
        reused,
        SysrootHasLibc: false); // musl's loader is in the toolchain, not in staging_dir
}
