using System.Text.RegularExpressions;
using Cake.Git;
using Crossboard.Machine;

namespace Crossboard.Sdk;

/// <summary>
/// Gets the SDK source into the work dir at the pinned ref, and does nothing when it is already
/// there. A fresh clone is made in a side folder and renamed into place only when complete, so
/// an interrupted one is never taken for a tree; a checkout of another ref refuses to run over
/// the user's changes to tracked files.
/// </summary>
public sealed class SdkCloner(GitClient git, IBuildLog log)
{
    private const string SourceFile = "source";
    private const string CheckoutMarker = "checkout-in-progress";

    public SdkCheckout Ensure(SdkWorkspace workspace, SdkSource source, CancellationToken cancellation = default)
    {
        var layout = workspace.Layout;
        var url = GitClient.ToFetchUrl(source.Url);
        var shownUrl = GitClient.Redact(source.Url);
        if (GitClient.IsLocalPath(source.Url) && !Directory.Exists(source.Url))
        {
            throw new CrossboardException($"The SDK source {source.Url} does not exist. Give --sdk-source=URL|PATH a git URL or a local clone of OpenWrt.");
        }

        Directory.CreateDirectory(layout.SdkRoot);
        if (Directory.Exists(layout.PartialTreeDir))
        {
            log.Information($"An interrupted clone was left at {layout.PartialTreeDir}; removing it and cloning again.");
            DeleteTree(layout.PartialTreeDir);
        }

        return Directory.Exists(layout.TreeDir)
            ? Update(layout, url, shownUrl, source.Ref, cancellation)
            : Clone(layout, url, shownUrl, source.Ref, cancellation);
    }

    private SdkCheckout Clone(SdkLayout layout, string url, string shownUrl, string reference, CancellationToken cancellation)
    {
        log.Information($"Cloning {shownUrl} at {reference} (shallow) into {layout.TreeDir}");
        var progress = new ProgressLine($"Cloning {layout.ToolchainName}", log);
        string commit;
        try
        {
            commit = git.Clone(url, layout.PartialTreeDir, FetchOptions(layout, reference, progress), cancellation);
        }
        catch (CrossboardException)
        {
            // A clear failure (no such ref, unreachable source): nothing half-made stays behind.
            DeleteTree(layout.PartialTreeDir);
            throw;
        }

        // The tree exists under its real name only once it is complete.
        WriteState(Path.Combine(layout.PartialTreeDir, ".git", "crossboard"), url, reference, commit);
        Directory.Move(layout.PartialTreeDir, layout.TreeDir);
        log.Information($"Cloned {reference} ({commit[..12]}) in {progress.Elapsed.TotalSeconds:0.0} s");
        return new SdkCheckout(layout.TreeDir, reference, commit, Changed: true);
    }

    /// <summary>git's lock files in the tree's .git: index.lock, HEAD.lock, refs/**/*.lock (not objects/, which has none).</summary>
    private static IEnumerable<string> StaleGitLocks(string tree)
    {
        var gitDir = Path.Combine(tree, ".git");
        var top = Directory.EnumerateFiles(gitDir, "*.lock");
        var refs = Path.Combine(gitDir, "refs");
        return Directory.Exists(refs) ? top.Concat(Directory.EnumerateFiles(refs, "*.lock", SearchOption.AllDirectories)).ToList() : top.ToList();
    }

    private SdkCheckout Update(SdkLayout layout, string url, string shownUrl, string reference, CancellationToken cancellation)
    {
        var tree = layout.TreeDir;
        if (!git.IsRepository(tree))
        {
            throw new CrossboardException(
                $"{tree} exists but is not a git repository, so it is not an SDK tree crossboard made. Move it away (or delete it) and run again.");
        }

        var markerPath = Path.Combine(layout.StateDir, CheckoutMarker);
        if (File.Exists(markerPath))
        {
            // We had checked the tree was clean before starting that checkout: whatever differs now is ours.
            var pending = File.ReadAllText(markerPath).Trim();
            log.Information($"A checkout of {pending[..Math.Min(12, pending.Length)]} in {tree} was interrupted; finishing it.");
            // Left by the git we stopped: index.lock, and HEAD.lock or a ref's lock when it was
            // killed while moving HEAD. This run holds the tree's lock, so no other crossboard git
            // is running there.
            foreach (var stale in StaleGitLocks(tree))
            {
                File.Delete(stale);
            }

            git.Checkout(tree, pending, force: true, cancellation);
            File.Delete(markerPath);
        }

        var state = ReadState(layout.StateDir);
        var head = git.Head(tree);
        if (head is not null && state is not null && state.Ref == reference && state.Commit == head && state.Url == url)
        {
            log.Information($"SDK tree {tree} is at {reference} ({head[..12]}); nothing to do.");
            WarnAboutChanges(tree);
            return new SdkCheckout(tree, reference, head, Changed: false);
        }

        log.Information($"Fetching {reference} from {shownUrl} into {tree}");
        git.SetRemote(tree, url);
        var progress = new ProgressLine($"Fetching {layout.ToolchainName}", log);
        var commit = git.Fetch(tree, FetchOptions(layout, reference, progress), cancellation);
        if (commit == head)
        {
            WriteState(layout.StateDir, url, reference, commit);
            log.Information($"SDK tree {tree} is already at {reference} ({commit[..12]}).");
            WarnAboutChanges(tree);
            return new SdkCheckout(tree, reference, commit, Changed: false);
        }

        var changes = git.TrackedChanges(tree);
        if (changes.Count > 0)
        {
            throw new CrossboardException(
                $"The SDK tree {tree} has local changes to {changes.Count} tracked file(s) ({Summarize(changes)}); crossboard will not discard them to check out {reference}.{Environment.NewLine}" +
                $"Commit or stash them (git -C {tree} stash), or move the tree away to start from a fresh clone.");
        }

        Directory.CreateDirectory(layout.StateDir);
        File.WriteAllText(markerPath, commit);
        git.Checkout(tree, commit, cancellation: cancellation);
        File.Delete(markerPath);
        WriteState(layout.StateDir, url, reference, commit);
        log.Information($"Checked out {reference} ({commit[..12]}) in {tree}{(head is null ? "" : $", was {head[..12]}")}");
        return new SdkCheckout(tree, reference, commit, Changed: true);
    }

    private void WarnAboutChanges(string tree)
    {
        var changes = git.TrackedChanges(tree);
        if (changes.Count > 0)
        {
            log.Warning($"The SDK tree {tree} has local changes to {changes.Count} tracked file(s) ({Summarize(changes)}); they are kept and built with.");
        }
    }

    private static GitFetchOptions FetchOptions(SdkLayout layout, string reference, ProgressLine progress) => new()
    {
        Ref = reference,
        Depth = 1,
        LogFile = layout.Log("git"),
        OnProgress = line => progress.Status(GitProgress(line)),
    };

    /// <summary>"Receiving objects:  45% (450/1000), 1.20 MiB | 2.3 MiB/s" → "receiving objects 45%, 1.20 MiB".</summary>
    public static string GitProgress(string line)
    {
        var match = Regex.Match(line, @"^(?:remote: )?(?<what>[A-Za-z ]+):\s+(?<pct>\d+)%(?:\s+\([^)]*\))?(?:,\s*(?<size>[\d.]+ [KMG]iB))?");
        if (!match.Success)
        {
            return line.Trim();
        }

        var size = match.Groups["size"].Success ? ", " + match.Groups["size"].Value : "";
        return $"{match.Groups["what"].Value.Trim().ToLowerInvariant()} {match.Groups["pct"].Value}%{size}";
    }

    private static string Summarize(IReadOnlyList<string> changes) =>
        string.Join(", ", changes.Take(5).Select(c => c.Length > 3 ? c[3..] : c)) + (changes.Count > 5 ? ", ..." : "");

    private sealed record State(string Url, string Ref, string Commit);

    private static State? ReadState(string stateDir)
    {
        var path = Path.Combine(stateDir, SourceFile);
        if (!File.Exists(path))
        {
            return null;
        }

        var lines = File.ReadAllLines(path);
        return lines.Length >= 3 ? new State(lines[0], lines[1], lines[2]) : null;
    }

    private static void WriteState(string stateDir, string url, string reference, string commit)
    {
        Directory.CreateDirectory(stateDir);
        var path = Path.Combine(stateDir, SourceFile);
        File.WriteAllLines(path + ".new", [url, reference, commit]);
        File.Move(path + ".new", path, overwrite: true);
    }

    /// <summary>Deletes a folder git made (its pack files are read-only).</summary>
    public static void DeleteTree(string dir)
    {
        if (!Directory.Exists(dir))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
        {
            try
            {
                File.SetAttributes(file, FileAttributes.Normal);
            }
            catch (IOException)
            {
                // A dangling symlink: deleted with its folder all the same.
            }
        }

        Directory.Delete(dir, recursive: true);
    }
}
