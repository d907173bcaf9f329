using System.Security.Cryptography;
using Crossboard.Host;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Fixtures;

/// <summary>
/// An OpenWrt-shaped miniature SDK in a temporary git repository, for the SDK stage's tests (the
/// real tree cannot be fetched here). See README.md beside this file for what it reproduces.
/// History: v24.10.7, then v24.10.8 (an annotated tag, as OpenWrt's), and a branch broken-gcc
/// whose gcc fails to configure. Its sources are tarballs in a local mirror folder that the tree
/// reaches through DOWNLOAD_MIRROR, as OpenWrt's download.pl does; their own upstream URLs
/// (127.0.0.1:9) refuse connections, so without the mirror every download fails.
/// </summary>
public sealed class MiniSdk : IDisposable
{
    public const string OldTag = "v24.10.7";
    public const string Tag = "v24.10.8";
    public const string BrokenBranch = "broken-gcc";

    public static readonly string[] Sources = ["m4-1.4.19", "binutils-2.40", "gcc-12.2.0", "musl-1.2.5"];

    private readonly TempDir _dir;

    private MiniSdk(TempDir dir)
    {
        _dir = dir;
        RepoPath = dir.Combine("openwrt");
        MirrorDir = dir.Combine("mirror");
    }

    public static string FixtureDir => Path.Combine(RepoPaths.Root, "tests", "Fixtures", "MiniSdk");

    /// <summary>The source repository (what --sdk-source or a definition's git would name).</summary>
    public string RepoPath { get; }

    /// <summary>The folder holding every source tarball.</summary>
    public string MirrorDir { get; }

    public string MirrorUrl => new Uri(MirrorDir + "/").AbsoluteUri.TrimEnd('/');

    /// <summary>What make needs to find the sources: DOWNLOAD_MIRROR, as with the real tree.</summary>
    public IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?> { ["DOWNLOAD_MIRROR"] = MirrorUrl };

    /// <summary>A runner that gives every command the mirror, like a user's exported DOWNLOAD_MIRROR.</summary>
    public ICommandRunner Runner => new EnvironmentRunner(Environment);

    public string CommitOf(string reference) =>
        Git(RepoPath, "rev-parse", reference + "^{commit}").Trim();

    public static MiniSdk Create()
    {
        var sdk = new MiniSdk(new TempDir("minisdk"));
        try
        {
            sdk.Build();
            return sdk;
        }
        catch
        {
            sdk.Dispose();
            throw;
        }
    }

    private void Build()
    {
        Directory.CreateDirectory(MirrorDir);
        var hashes = new Dictionary<string, string>();
        foreach (var source in Sources)
        {
            hashes[source + ".tar.gz"] = Tarball(Path.Combine(FixtureDir, "sources"), source, source + ".tar.gz");
        }

        // The broken gcc: the same source with a configure that fails as a real one does.
        var broken = _dir.Combine("broken", "gcc-12.2.0");
        CopyTree(Path.Combine(FixtureDir, "sources", "gcc-12.2.0"), broken);
        File.WriteAllText(Path.Combine(broken, "configure"),
            "#!/bin/sh\necho 'checking for C compiler... gcc'\necho 'configure: error: C compiler cannot create executables' >&2\nexit 77\n");
        var brokenHash = Tarball(_dir.Combine("broken"), "gcc-12.2.0", "gcc-12.2.0-r1.tar.gz");

        CopyTree(Path.Combine(FixtureDir, "tree"), RepoPath);
        foreach (var makefile in Directory.GetFiles(RepoPath, "Makefile", SearchOption.AllDirectories))
        {
            var text = File.ReadAllText(makefile);
            foreach (var (file, hash) in hashes)
            {
                text = text.Replace($"@HASH:{file}@", hash);
            }

            File.WriteAllText(makefile, text);
        }

        Directory.CreateDirectory(Path.Combine(RepoPath, "include"));
        var version = Path.Combine(RepoPath, "include", "version.mk");
        Git(_dir.Path, "init", "--quiet", "--initial-branch=main", RepoPath);
        File.WriteAllText(version, "VERSION_NUMBER:=24.10.7\n");
        Commit("OpenWrt v24.10.7 (miniature)");
        Git(RepoPath, "tag", OldTag);

        File.WriteAllText(version, "VERSION_NUMBER:=24.10.8\n");
        Commit("OpenWrt v24.10.8 (miniature)");
        Git(RepoPath, "tag", "-a", "-m", "OpenWrt v24.10.8", Tag);

        Git(RepoPath, "checkout", "--quiet", "-b", BrokenBranch);
        var gcc = Path.Combine(RepoPath, "toolchain", "gcc", "Makefile");
        File.WriteAllText(gcc, File.ReadAllText(gcc)
            .Replace("PKG_SOURCE:=$(PKG_NAME)-$(PKG_VERSION).tar.gz", "PKG_SOURCE:=$(PKG_NAME)-$(PKG_VERSION)-r1.tar.gz")
            .Replace(hashes["gcc-12.2.0.tar.gz"], brokenHash));
        Commit("gcc: a release that does not configure");
        Git(RepoPath, "checkout", "--quiet", "main");
    }

    /// <summary>Removes a source from the mirror (as if upstream and every mirror lacked it).</summary>
    public void RemoveFromMirror(string file) => File.Delete(Path.Combine(MirrorDir, file));

    private void Commit(string message)
    {
        Git(RepoPath, "add", "-A");
        Git(RepoPath, "commit", "--quiet", "-m", message);
    }

    private string Tarball(string parent, string name, string file)
    {
        var path = Path.Combine(MirrorDir, file);
        ProcessRunner.RunChecked(new ProcessSpec("tar", "--sort=name", "--owner=0", "--group=0", "-czf", path, "-C", parent, name), $"making {file}");
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    public static string Git(string dir, params string[] args) =>
        ProcessRunner.RunChecked(new ProcessSpec("git", args)
        {
            WorkingDirectory = dir,
            Environment =
            {
                ["LC_ALL"] = "C",
                ["GIT_AUTHOR_NAME"] = "crossboard tests",
                ["GIT_AUTHOR_EMAIL"] = "tests@crossboard.invalid",
                ["GIT_COMMITTER_NAME"] = "crossboard tests",
                ["GIT_COMMITTER_EMAIL"] = "tests@crossboard.invalid",
            },
        }, "git " + string.Join(' ', args)).StandardOutput;

    public static void CopyTree(string from, string to)
    {
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        }

        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            File.Copy(file, target, overwrite: true);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(target, File.GetUnixFileMode(file));
            }
        }
    }

    public void Dispose() => _dir.Dispose();
}

/// <summary>Runs commands on this machine with extra environment variables (as a user's shell exports them).</summary>
public sealed class EnvironmentRunner(IReadOnlyDictionary<string, string?> environment) : ICommandRunner
{
    public Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellation = default)
    {
        foreach (var (key, value) in environment)
        {
            spec.Environment.TryAdd(key, value);
        }

        return ProcessRunner.RunAsync(spec, cancellation);
    }
}
