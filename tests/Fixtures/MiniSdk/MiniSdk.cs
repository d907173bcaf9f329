using Crossboard.Machine;
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

    /// <summary>create.sh beside this file is the fixture's one definition (bench/ makes it too).</summary>
    private void Build() =>
        ProcessRunner.RunChecked(new ProcessSpec("bash", Path.Combine(FixtureDir, "create.sh"), _dir.Path), "making the miniature SDK");

    /// <summary>Removes a source from the mirror (as if upstream and every mirror lacked it).</summary>
    public void RemoveFromMirror(string file) => File.Delete(Path.Combine(MirrorDir, file));

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
