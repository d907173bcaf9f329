using System.Text.Json;
using System.Text.RegularExpressions;
using Cake.Git;
using Crossboard.Machine;
using Crossboard.Recipes;
using Crossboard.Sdk;

namespace Crossboard.Toolchains;

/// <summary>
/// Builds the toolchain of a seeded OpenWrt tree, once per key: a stamp keyed by the SDK commit
/// and the toolchain's .config symbols (<see cref="ToolchainKey"/>) is written only after a
/// successful build, so a rerun, or a board with the same arch/CPU/libc/gcc, does no work. Before
/// building, a download preflight lists every source tarball that cannot be had (OpenWrt's own
/// downloader would retry each mirror for minutes and then fail with a vague message); tarballs
/// live in the work dir's shared dl/.
/// </summary>
public sealed class OpenWrtSourceToolchain(ICommandRunner runner, IBuildLog log)
{
    /// <summary>make's -j for toolchain/install.</summary>
    public int Jobs { get; init; } = Environment.ProcessorCount;

    public ToolchainResult Resolve(SdkWorkspace workspace, ToolchainDefinition definition, CancellationToken cancellation = default)
    {
        var layout = workspace.Layout;
        if (!File.Exists(layout.DotConfig))
        {
            throw new CrossboardException(
                $"The SDK tree {layout.TreeDir} has no .config. Run --target=BuildToolchain without --exclusive so that CloneSdk and SeedConfig run first.");
        }

        var commit = new GitClient(runner).Head(layout.TreeDir)
            ?? throw new CrossboardException($"{layout.TreeDir} has no commit checked out. Run without --exclusive so that CloneSdk runs first.");
        var key = ToolchainKey.From(commit, DotConfig.Read(layout.DotConfig));
        var stampPath = Path.Combine(layout.StampDir, key.Name + ".json");
        if (Reuse(stampPath, key, definition) is { } reused)
        {
            return reused;
        }

        LinkDownloadCache(layout);
        Preflight(layout, cancellation);
        Build(layout, cancellation);
        var location = Locate(layout.TreeDir, cancellation);
        WriteStamp(stampPath, key, location);
        log.Information($"Toolchain ready: {location.CC}");
        return new ToolchainResult(location.ToResolved(definition.Name, definition.Libc), Reused: false, stampPath);
    }

    private ToolchainResult? Reuse(string stampPath, ToolchainKey key, ToolchainDefinition definition)
    {
        if (!File.Exists(stampPath))
        {
            return null;
        }

        var stamp = JsonSerializer.Deserialize(File.ReadAllText(stampPath), ToolchainJson.Reading.ToolchainStamp);
        if (stamp is not null && stamp.Key == key.Text)
        {
            var location = new OpenWrtToolchainLocation(stamp.ToolchainDir, stamp.Triple, stamp.StagingDir);
            if (File.Exists(location.CC))
            {
                log.Information($"Toolchain {Path.GetFileName(stamp.ToolchainDir)} ({stamp.Triple}) is already built for this commit and configuration; nothing to do (stamp {stampPath}).");
                return new ToolchainResult(location.ToResolved(definition.Name, definition.Libc), Reused: true, stampPath);
            }

            log.Warning($"The stamp {stampPath} says the toolchain is built, but {location.CC} is gone; building it again.");
        }

        File.Delete(stampPath);
        return null;
    }

    /// <summary>The tree's dl/ becomes a link to the work dir's shared dl/ (files already in a private dl/ move there).</summary>
    public static void LinkDownloadCache(SdkLayout layout) => LinkDownloadCache(layout.TreeDir, layout.DownloadDir);

    /// <summary>The dl/ of an OpenWrt tree or SDK in <paramref name="tree"/> becomes a link to <paramref name="downloadDir"/>.</summary>
    public static void LinkDownloadCache(string tree, string downloadDir)
    {
        Directory.CreateDirectory(downloadDir);
        var link = Path.Combine(tree, "dl");
        var info = new DirectoryInfo(link);
        if (info.LinkTarget is { } target)
        {
            if (Path.GetFullPath(target, tree).TrimEnd('/') == Path.GetFullPath(downloadDir).TrimEnd('/'))
            {
                return;
            }

            info.Delete();
        }
        else if (info.Exists)
        {
            foreach (var file in info.GetFiles())
            {
                var into = Path.Combine(downloadDir, file.Name);
                if (!File.Exists(into))
                {
                    file.MoveTo(into);
                }
            }

            info.Delete(recursive: true);
        }

        Directory.CreateSymbolicLink(link, downloadDir);
    }

    /// <summary>
    /// `make -k tools/download toolchain/download` with curl's retries off: fails in seconds
    /// when offline, and names every file that could not be had.
    /// </summary>
    private void Preflight(SdkLayout layout, CancellationToken cancellation)
    {
        var logFile = layout.Log("download");
        File.Delete(logFile);
        log.Information($"Checking that every source tarball of the tools and the toolchain is in {layout.DownloadDir} or can be downloaded (log: {logFile})");
        var progress = new ProgressLine("Downloading sources", log);
        var curlOptions = ((System.Environment.GetEnvironmentVariable("CURL_OPTIONS") ?? "") + " --retry 0").Trim();
        var spec = new ProcessSpec("make", "-k", "tools/download", "toolchain/download", "V=s")
        {
            WorkingDirectory = layout.TreeDir,
            LogFile = logFile,
            Environment = { ["CURL_OPTIONS"] = curlOptions },
            OnLine = line =>
            {
                var fetching = Regex.Match(line, @"^\+ (?:curl|wget)\b.*/(?<file>[^/\s]+)$");
                if (fetching.Success)
                {
                    progress.Status("fetching " + fetching.Groups["file"].Value);
                }
            },
        };
        var result = runner.Run(spec, cancellation);
        if (result.Succeeded)
        {
            return;
        }

        Sdk.OpenWrtPrerequisites.ThrowIfCheckFailed(spec, result);

        var missing = MissingDownloads(File.Exists(logFile) ? File.ReadAllText(logFile) : result.StandardOutput + result.StandardError);
        if (missing.Count == 0)
        {
            throw ProcessRunner.Failure(spec, result, "The download preflight (make -k tools/download toolchain/download) failed");
        }

        throw new CrossboardException(
            $"{missing.Count} source file(s) for the tools and the toolchain cannot be downloaded (offline, or the mirrors are down):{System.Environment.NewLine}" +
            string.Join(System.Environment.NewLine, missing.Select(f => "  " + f)) + System.Environment.NewLine +
            $"Put them into {layout.DownloadDir} (shared by every SDK tree), or point DOWNLOAD_MIRROR at a folder or server that has them (DOWNLOAD_MIRROR=file:///path/to/dl), then run again.",
            logFile);
    }

    /// <summary>The files make could not produce: "*** [&lt;makefile&gt;:&lt;line&gt;: /abs/dl/&lt;file&gt;] Error 1" lines.</summary>
    public static IReadOnlyList<string> MissingDownloads(string makeOutput) =>
        Regex.Matches(makeOutput, @"\*\*\* \[(?:[^\]\n]*?:\d+: )?(?<target>/[^\]\n]+)\] Error \d+")
            .Select(m => Path.GetFileName(m.Groups["target"].Value.TrimEnd('/')))
            // A stamp that failed (.built, stamp/.zlib_installed) is a build error, not a download: no source file's name starts with a dot.
            .Where(f => f.Length > 0 && !f.StartsWith('.'))
            .Distinct()
            .ToList();

    private void Build(SdkLayout layout, CancellationToken cancellation)
    {
        var logFile = layout.Log("toolchain");
        File.Delete(logFile);
        log.Information($"Building the toolchain: make toolchain/install -j{Jobs} in {layout.TreeDir} (the first time takes long; full log: {logFile})");
        var progress = new ProgressLine("Building the toolchain", log, TimeSpan.FromSeconds(5));
        var tree = Path.GetFullPath(layout.TreeDir).TrimEnd('/') + "/";
        var failed = new List<string>();
        var spec = new ProcessSpec("make", "toolchain/install", $"-j{Jobs}", "V=s")
        {
            WorkingDirectory = layout.TreeDir,
            LogFile = logFile,
            OnLine = line =>
            {
                var entering = Regex.Match(line, @"Entering directory '(?<dir>[^']+)'");
                if (entering.Success && entering.Groups["dir"].Value.StartsWith(tree, StringComparison.Ordinal))
                {
                    progress.Status(entering.Groups["dir"].Value[tree.Length..]);
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
        var result = runner.Run(spec, cancellation);
        if (!result.Succeeded)
        {
            Sdk.OpenWrtPrerequisites.ThrowIfCheckFailed(spec, result);
            var what = failed.Count > 0 ? $" ({string.Join(", ", failed.Distinct())} failed to build)" : "";
            throw ProcessRunner.Failure(spec, result,
                $"Building the toolchain failed{what}. Nothing was stamped; the next run builds again (make resumes where it stopped). To see the first error in order, run `make toolchain/install -j1 V=s` in {layout.TreeDir}");
        }

        log.Information($"Toolchain built in {progress.Elapsed:hh\\:mm\\:ss}");
    }

    /// <summary>
    /// Asks the tree where its toolchain is (`make -s val.TOOLCHAIN_DIR val.REAL_GNU_TARGET_NAME
    /// val.STAGING_DIR`) and checks that bin/&lt;triple&gt;-gcc is there: the query itself creates an
    /// empty toolchain folder, so the folder proves nothing.
    /// </summary>
    public OpenWrtToolchainLocation Locate(string tree, CancellationToken cancellation = default)
    {
        var spec = new ProcessSpec("make", "-s", "val.TOOLCHAIN_DIR", "val.REAL_GNU_TARGET_NAME", "val.STAGING_DIR") { WorkingDirectory = tree };
        var asked = runner.Run(spec, cancellation);
        Sdk.OpenWrtPrerequisites.ThrowIfCheckFailed(spec, asked);
        var result = asked.Succeeded ? asked : throw ProcessRunner.Failure(spec, asked, $"Asking the SDK tree {tree} where its toolchain is failed");
        var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length < 3 || !Path.IsPathRooted(lines[^3]) || !Regex.IsMatch(lines[^2], @"^[A-Za-z0-9_]+(-[A-Za-z0-9_.]+)+$") || !Path.IsPathRooted(lines[^1]))
        {
            throw new CrossboardException(
                $"`{spec}` in {tree} did not print a toolchain folder, a target triple and a staging folder; it printed:{System.Environment.NewLine}  {string.Join(System.Environment.NewLine + "  ", lines)}");
        }

        var location = new OpenWrtToolchainLocation(lines[^3], lines[^2], lines[^1]);
        if (!File.Exists(location.CC))
        {
            throw new CrossboardException(
                $"The tree's toolchain compiler {location.CC} does not exist ({location.ToolchainDir} {(Directory.Exists(location.ToolchainDir) ? "exists but holds no compiler" : "does not exist")}). " +
                "The toolchain is not built: run --target=BuildToolchain.");
        }

        return location;
    }

    private static void WriteStamp(string stampPath, ToolchainKey key, OpenWrtToolchainLocation location)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(stampPath)!);
        var stamp = new ToolchainStamp(key.Text, location.ToolchainDir, location.Triple, location.StagingDir, DateTime.UtcNow);
        File.WriteAllText(stampPath + ".new", JsonSerializer.Serialize(stamp, ToolchainJson.Writing.ToolchainStamp));
        File.Move(stampPath + ".new", stampPath, overwrite: true);
    }
}
