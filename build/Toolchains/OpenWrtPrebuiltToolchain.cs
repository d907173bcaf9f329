using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Crossboard.Machine;
using Crossboard.Recipes;
using Crossboard.Sdk;

namespace Crossboard.Toolchains;

/// <summary>
/// OpenWrt's prebuilt SDK for the board's target/subtarget: downloaded into the shared dl/ with
/// progress, its sha256 checked against the release's sha256sums, unpacked beside the other
/// toolchains, and located (staging_dir/toolchain-*/bin/&lt;triple&gt;-gcc). A completion stamp is
/// written last, so a rerun needs no network and an interrupted unpack is redone.
/// </summary>
public sealed class OpenWrtPrebuiltToolchain(ICommandRunner runner, IBuildLog log, HttpClient? http = null)
{
    private const string CompleteStamp = ".crossboard-complete";

    public ToolchainResult Resolve(string workDir, Board board, ToolchainDefinition definition, CancellationToken cancellation = default)
    {
        var settings = definition.Prebuilt ?? throw new ArgumentException($"{definition.Name} is not a prebuilt OpenWrt SDK", nameof(definition));
        var openwrt = board.Openwrt
            ?? throw new CrossboardException($"{board.SourceFile}: board {board.Name} has no [openwrt] table (target, subtarget), which the prebuilt SDK {definition.Name} needs.");
        string Fill(string template) => template.Replace("{release}", settings.Release).Replace("{target}", openwrt.Target)
            .Replace("{subtarget}", openwrt.Subtarget).Replace("{gcc}", settings.Gcc);
        var url = Fill(settings.Url);
        var sumsUrl = Fill(settings.Checksums);
        var fileName = Uri.UnescapeDataString(url.Split('?')[0].TrimEnd('/').Split('/')[^1]);
        var baseName = Regex.Replace(fileName, @"\.tar(\.(zst|xz|gz|bz2))?$|\.t[gx]z$", "");
        var layout = new SdkLayout(workDir, definition.Name);
        var dest = Path.Combine(layout.PrebuiltDir, baseName);
        var stampPath = Path.Combine(dest, CompleteStamp);

        using var held = WorkDirLock.Acquire(Path.Combine(workDir, "locks", "prebuilt-" + baseName), "prebuilt:" + baseName, SdkWorkspace.DefaultLockWait, log.Information);
        if (File.Exists(stampPath) && JsonSerializer.Deserialize(File.ReadAllText(stampPath), ToolchainJson.Reading.OpenWrtToolchainLocation) is { } known && File.Exists(known.CC))
        {
            log.Information($"Prebuilt SDK {baseName} is already unpacked and verified; nothing to do ({known.CC}).");
            return new ToolchainResult(known.ToResolved(definition.Name, definition.Libc), Reused: true, stampPath);
        }

        if (Directory.Exists(dest))
        {
            log.Information($"{dest} is incomplete (an interrupted unpack?); unpacking again.");
            SdkCloner.DeleteTree(dest);
        }

        var expected = ExpectedSha256(sumsUrl, fileName, layout, cancellation);
        var archive = Path.Combine(layout.DownloadDir, fileName);
        if (File.Exists(archive) && Sha256Of(archive) == expected)
        {
            log.Information($"Using {archive} from the download cache (sha256 verified).");
        }
        else
        {
            Download(url, archive, expected, cancellation);
        }

        var partial = dest + ".partial";
        if (Directory.Exists(partial))
        {
            SdkCloner.DeleteTree(partial);
        }

        Directory.CreateDirectory(partial);
        log.Information($"Unpacking {fileName} into {dest}");
        runner.RunChecked(new ProcessSpec("tar", [.. DecompressFlag(fileName), "-x", "-f", archive, "-C", partial]), $"Unpacking {archive} failed", cancellation);
        Directory.Move(partial, dest);
        var location = LocateIn(dest, definition);
        File.WriteAllText(stampPath, JsonSerializer.Serialize(location, ToolchainJson.Reading.OpenWrtToolchainLocation));
        log.Information($"Toolchain ready: {location.CC}");
        return new ToolchainResult(location.ToResolved(definition.Name, definition.Libc), Reused: false, stampPath);
    }

    /// <summary>The archive's sha256 from the release's sha256sums ("&lt;sha256&gt; *&lt;file&gt;" lines), kept in dl/ for offline reruns.</summary>
    private string ExpectedSha256(string sumsUrl, string fileName, SdkLayout layout, CancellationToken cancellation)
    {
        Directory.CreateDirectory(layout.DownloadDir);
        var cached = Path.Combine(layout.DownloadDir, Regex.Replace(fileName, @"\.tar.*$", "") + ".sha256sums");
        string sums;
        try
        {
            sums = ReadText(sumsUrl, cancellation);
            File.WriteAllText(cached, sums);
        }
        catch (CrossboardException) when (File.Exists(cached))
        {
            log.Warning($"Cannot fetch {sumsUrl}; using the copy saved with the last download ({cached}).");
            sums = File.ReadAllText(cached);
        }

        foreach (var line in sums.Split('\n'))
        {
            var match = Regex.Match(line.Trim(), @"^(?<sha>[0-9a-fA-F]{64})\s+\*?(?<file>\S+)$");
            if (match.Success && match.Groups["file"].Value == fileName)
            {
                return match.Groups["sha"].Value.ToLowerInvariant();
            }
        }

        throw new CrossboardException($"{sumsUrl} lists no sha256 for {fileName}: is the release, target/subtarget or gcc version in the toolchain definition right?");
    }

    private void Download(string url, string archive, string expected, CancellationToken cancellation)
    {
        var part = archive + ".part";
        log.Information($"Downloading {url}");
        var progress = new ProgressLine($"Downloading {Path.GetFileName(archive)}", log);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        try
        {
            using (var source = Open(url, out var total, cancellation))
            using (var target = File.Create(part))
            {
                var buffer = new byte[1 << 20];
                long done = 0;
                int read;
                while ((read = source.ReadAsync(buffer, cancellation).AsTask().GetAwaiter().GetResult()) > 0)
                {
                    target.Write(buffer, 0, read);
                    hash.AppendData(buffer, 0, read);
                    done += read;
                    progress.Report(done, total);
                }

                progress.Report(done, done);
            }

            var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (actual != expected)
            {
                throw new CrossboardException(
                    $"The download of {url} is corrupt: its sha256 is {actual}, the release's sha256sums says {expected}. It was deleted; run again (if it happens again, the server or a proxy serves a broken file).");
            }

            File.Move(part, archive, overwrite: true);
        }
        finally
        {
            File.Delete(part);
        }
    }

    private string ReadText(string url, CancellationToken cancellation)
    {
        using var stream = Open(url, out _, cancellation);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>http(s) through HttpClient; file:// URLs and plain paths (a local mirror) from disk.</summary>
    private Stream Open(string url, out long? length, CancellationToken cancellation)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.IsFile)
        {
            var path = uri?.LocalPath ?? url;
            if (!File.Exists(path))
            {
                throw new CrossboardException($"{path} does not exist.");
            }

            length = new FileInfo(path).Length;
            return File.OpenRead(path);
        }

        var client = http ?? SharedHttp.Value;
        try
        {
            var response = client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellation).GetAwaiter().GetResult();
            if (!response.IsSuccessStatusCode)
            {
                var status = $"{(int)response.StatusCode} {response.ReasonPhrase}";
                response.Dispose();
                throw new CrossboardException($"Downloading {url} failed: HTTP {status}. Check release, target/subtarget and gcc in the toolchain definition.");
            }

            length = response.Content.Headers.ContentLength;
            return response.Content.ReadAsStream(cancellation);
        }
        catch (HttpRequestException ex)
        {
            throw new CrossboardException($"Cannot download {url}: {ex.Message}. Offline? Put the file into the work dir's dl/ folder, or use another toolchain (--toolchain=...).");
        }
    }

    private static readonly Lazy<HttpClient> SharedHttp = new(() => new HttpClient { Timeout = TimeSpan.FromHours(1) });

    private static string[] DecompressFlag(string fileName) => fileName switch
    {
        _ when fileName.EndsWith(".zst", StringComparison.Ordinal) => ["--zstd"],
        _ when fileName.EndsWith(".xz", StringComparison.Ordinal) || fileName.EndsWith(".txz", StringComparison.Ordinal) => ["-J"],
        _ when fileName.EndsWith(".gz", StringComparison.Ordinal) || fileName.EndsWith(".tgz", StringComparison.Ordinal) => ["-z"],
        _ when fileName.EndsWith(".bz2", StringComparison.Ordinal) => ["-j"],
        _ => [],
    };

    private static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>The SDK's one staging_dir/toolchain-*/bin/&lt;triple&gt;-gcc, and its STAGING_DIR (staging_dir/target-*).</summary>
    private static OpenWrtToolchainLocation LocateIn(string dest, ToolchainDefinition definition)
    {
        var roots = Directory.GetDirectories(dest);
        var sdkRoot = roots.Length == 1 && Directory.Exists(Path.Combine(roots[0], "staging_dir")) ? roots[0] : dest;
        var staging = Path.Combine(sdkRoot, "staging_dir");
        var compilers = Directory.Exists(staging)
            ? Directory.GetDirectories(staging, "toolchain-*")
                .SelectMany(d => Directory.Exists(Path.Combine(d, "bin")) ? Directory.GetFiles(Path.Combine(d, "bin"), "*-gcc") : [])
                .Where(f => Regex.IsMatch(Path.GetFileName(f), @"^[A-Za-z0-9_]+-openwrt-linux(-[A-Za-z0-9_]+)?-gcc$"))
                .ToList()
            : [];
        if (compilers.Count != 1)
        {
            throw new CrossboardException(
                $"The prebuilt SDK in {dest} should hold one staging_dir/toolchain-*/bin/<triple>-gcc, but has {compilers.Count}{(compilers.Count > 1 ? ": " + string.Join(", ", compilers) : "")}. Is {definition.SourceFile} pointing at an OpenWrt SDK archive?");
        }

        var toolchainDir = Path.GetDirectoryName(Path.GetDirectoryName(compilers[0]))!;
        var triple = Path.GetFileName(compilers[0])[..^"-gcc".Length];
        var targets = Directory.GetDirectories(staging, "target-*");
        return new OpenWrtToolchainLocation(toolchainDir, triple, targets.Length == 1 ? targets[0] : toolchainDir);
    }
}
