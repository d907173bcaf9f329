using System.Text.RegularExpressions;
using Crossboard;
using Crossboard.Machine;

namespace Cake.Git;

/// <summary>How to fetch: which ref, how deep, and who hears about progress.</summary>
public sealed record GitFetchOptions
{
    /// <summary>A tag, a branch or a full commit id.</summary>
    public required string Ref { get; init; }

    /// <summary>1 for a shallow fetch (the default); null for the full history.</summary>
    public int? Depth { get; init; } = 1;

    /// <summary>git's progress lines ("Receiving objects:  45% (450/1000), 1.20 MiB | ..."), one at a time.</summary>
    public Action<string>? OnProgress { get; init; }

    /// <summary>Where git's output goes, credentials removed (for the user to read after a failure).</summary>
    public string? LogFile { get; init; }
}

/// <summary>
/// The git command line behind a small typed surface. Chosen over LibGit2Sharp 0.32 (see
/// bench/clone/README.md): libgit2 does no shallow fetch over file:// or of a tag, which is exactly
/// what an SDK mirror or a local copy at a pinned tag needs, and the CLI honours the user's
/// credential helpers and proxies. Every command runs through an <see cref="ICommandRunner"/>
/// (so --docker runs it in the builder container), never prompts (GIT_TERMINAL_PROMPT=0), and
/// credentials in URLs never reach messages or logs.
/// </summary>
public sealed class GitClient(ICommandRunner runner)
{
    public const string Remote = "origin";

    private static readonly Regex UrlCredentials = new(@"(?<scheme>[a-z][a-z0-9+.-]*://)[^/@\s]+@", RegexOptions.IgnoreCase | RegexOptions.Compiled);

    // "Receiving objects:  45% (450/1000)": thousands of these per clone; the log keeps only the final "..., done." lines.
    private static readonly Regex ProgressUpdate = new(@"^(remote: )?[A-Za-z ]+:\s+\d+% \((?!.*done\.)", RegexOptions.Compiled);

    /// <summary>A URL or text with any user:password@ part replaced by ***@.</summary>
    public static string Redact(string text) => UrlCredentials.Replace(text, "${scheme}***@");

    /// <summary>
    /// What git should be given for <paramref name="source"/>: URLs as they are, local paths as
    /// file:// URLs, because git ignores --depth for a plain local path.
    /// </summary>
    public static string ToFetchUrl(string source)
    {
        if (Regex.IsMatch(source, @"^[a-z][a-z0-9+.-]*://", RegexOptions.IgnoreCase) || Regex.IsMatch(source, @"^[^/\\]+@[^/\\:]+:"))
        {
            return source;
        }

        return new Uri(Path.GetFullPath(source)).AbsoluteUri;
    }

    public static bool IsLocalPath(string source) =>
        !Regex.IsMatch(source, @"^[a-z][a-z0-9+.-]*://", RegexOptions.IgnoreCase) && !Regex.IsMatch(source, @"^[^/\\]+@[^/\\:]+:");

    public bool IsRepository(string dir) =>
        Directory.Exists(Path.Combine(dir, ".git")) &&
        Run(dir, ["rev-parse", "--git-dir"], "", check: false).Succeeded;

    public void Init(string dir)
    {
        Directory.CreateDirectory(dir);
        Run(dir, ["init", "--quiet"], $"Creating a git repository in {dir} failed");
    }

    /// <summary>Points the remote named origin at <paramref name="url"/> (adding it when missing).</summary>
    public void SetRemote(string dir, string url)
    {
        var existing = Run(dir, ["remote", "get-url", Remote], "", check: false);
        if (existing.Succeeded)
        {
            if (existing.StandardOutput.Trim() != url)
            {
                Run(dir, ["remote", "set-url", Remote, url], $"Setting the remote of {dir} failed");
            }

            return;
        }

        Run(dir, ["remote", "add", Remote, url], $"Adding the remote to {dir} failed");
    }

    /// <summary>The remote's URL, credentials removed; null when there is none.</summary>
    public string? RemoteUrl(string dir)
    {
        var result = Run(dir, ["remote", "get-url", Remote], "", check: false);
        return result.Succeeded ? result.StandardOutput.Trim() : null;
    }

    /// <summary>
    /// Fetches <see cref="GitFetchOptions.Ref"/> from origin and returns the commit it names
    /// (FETCH_HEAD, peeled). Shallow when asked; a transport that cannot do shallow (dumb HTTP)
    /// or a server that refuses an unadvertised commit id gets a full fetch instead.
    /// </summary>
    public string Fetch(string dir, GitFetchOptions options, CancellationToken cancellation = default)
    {
        var progressArgs = new List<string> { "fetch", "--progress", "--no-tags" };
        var depthArgs = options.Depth is { } depth ? new[] { "--depth", depth.ToString(System.Globalization.CultureInfo.InvariantCulture) } : [];
        var result = Run(dir, [.. progressArgs, .. depthArgs, Remote, options.Ref], "", check: false, options.OnProgress, options.LogFile, cancellation);
        if (!result.Succeeded && options.Depth is not null && ShallowRefused(result))
        {
            options.OnProgress?.Invoke("the server cannot serve a shallow fetch of this ref; fetching the full history instead");
            result = Run(dir, [.. progressArgs, Remote, options.Ref], "", check: false, options.OnProgress, options.LogFile, cancellation);
            if (!result.Succeeded && LooksLikeCommitId(options.Ref))
            {
                // A server may refuse to serve a bare commit id: fetch every branch and tag, then look it up.
                result = Run(dir, ["fetch", "--progress", "--tags", Remote, "+refs/heads/*:refs/remotes/origin/*"], "", check: false, options.OnProgress, options.LogFile, cancellation);
                if (result.Succeeded)
                {
                    return RevParse(dir, options.Ref + "^{commit}")
                        ?? throw new CrossboardException($"The commit {options.Ref} is not in {Redact(RemoteUrl(dir) ?? "the remote")}. Check the ref in the toolchain definition.");
                }
            }
        }

        if (!result.Succeeded)
        {
            throw FetchFailure(dir, options, result);
        }

        return RevParse(dir, "FETCH_HEAD^{commit}")
            ?? throw new CrossboardException($"git fetch of {options.Ref} succeeded but FETCH_HEAD names no commit in {dir}.");
    }

    /// <summary>
    /// A new repository in <paramref name="dir"/> holding <paramref name="url"/> at
    /// <see cref="GitFetchOptions.Ref"/>, checked out; returns the commit. Shallow by default,
    /// where `git clone` would ignore --depth for a local path.
    /// </summary>
    public string Clone(string url, string dir, GitFetchOptions options, CancellationToken cancellation = default)
    {
        Init(dir);
        SetRemote(dir, ToFetchUrl(url));
        var commit = Fetch(dir, options, cancellation);
        Checkout(dir, commit, cancellation: cancellation);
        return commit;
    }

    /// <summary>Checks out <paramref name="commitish"/> as a detached HEAD. <paramref name="force"/> discards changes to tracked files.</summary>
    public void Checkout(string dir, string commitish, bool force = false, CancellationToken cancellation = default)
    {
        string[] args = force
            ? ["-c", "advice.detachedHead=false", "checkout", "--quiet", "--force", "--detach", commitish]
            : ["-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", commitish];
        Run(dir, args, $"Checking out {commitish} in {dir} failed", cancellation: cancellation);
    }

    /// <summary>The commit id <paramref name="rev"/> names, or null.</summary>
    public string? RevParse(string dir, string rev)
    {
        var result = Run(dir, ["rev-parse", "--verify", "--quiet", rev], "", check: false);
        return result.Succeeded && result.StandardOutput.Trim() is { Length: 40 } id ? id : null;
    }

    public string? Head(string dir) => RevParse(dir, "HEAD^{commit}");

    /// <summary>Tracked files with changes (staged or not), as `git status --porcelain` lists them; untracked files are not changes.</summary>
    public IReadOnlyList<string> TrackedChanges(string dir)
    {
        var result = Run(dir, ["status", "--porcelain", "--untracked-files=no"], $"git status in {dir} failed");
        return result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
    }

    /// <summary>Whether the repository is shallow (a depth-limited fetch).</summary>
    public bool IsShallow(string dir) =>
        Run(dir, ["rev-parse", "--is-shallow-repository"], "", check: false).StandardOutput.Trim() == "true";

    public static bool LooksLikeCommitId(string reference) => Regex.IsMatch(reference, "^[0-9a-f]{40}$");

    private static bool ShallowRefused(ProcessResult result)
    {
        var text = result.StandardError + result.StandardOutput;
        return text.Contains("shallow", StringComparison.OrdinalIgnoreCase) ||
               text.Contains("unadvertised object", StringComparison.OrdinalIgnoreCase) ||
               text.Contains("not our ref", StringComparison.OrdinalIgnoreCase);
    }

    private CrossboardException FetchFailure(string dir, GitFetchOptions options, ProcessResult result)
    {
        var url = Redact(RemoteUrl(dir) ?? "the remote");
        var output = Redact(ProcessRunner.TailOf(result.StandardError.Length > 0 ? result.StandardError : result.StandardOutput, 8));
        var hint = output.Contains("couldn't find remote ref", StringComparison.OrdinalIgnoreCase)
            ? $"The ref '{options.Ref}' does not exist there: check 'ref' in the toolchain definition, or --sdk-source."
            : "Check the URL and your network, or give a mirror or a local copy with --sdk-source=URL|PATH.";
        return new CrossboardException(
            $"Fetching '{options.Ref}' from {url} failed (exit code {result.ExitCode}).{Environment.NewLine}{Indent(output)}{Environment.NewLine}{hint}",
            options.LogFile);
    }

    private ProcessResult Run(string dir, string[] args, string whatFailed, bool check = true, Action<string>? onLine = null,
        string? logFile = null, CancellationToken cancellation = default)
    {
        StreamWriter? log = null;
        if (logFile is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(logFile)!);
            log = new StreamWriter(logFile, append: true) { AutoFlush = true };
            log.WriteLine("$ git " + Redact(string.Join(' ', args.Select(ProcessSpec.ShellQuote))));
        }

        var spec = new ProcessSpec("git", args)
        {
            WorkingDirectory = dir,
            OnLine = line =>
            {
                var clean = Redact(line);
                if (!ProgressUpdate.IsMatch(clean))
                {
                    log?.WriteLine(clean);
                }

                onLine?.Invoke(clean);
            },
            Environment =
            {
                ["GIT_TERMINAL_PROMPT"] = "0",
                ["GIT_ASKPASS"] = null,
                ["LC_ALL"] = "C",
            },
        };

        try
        {
            var result = runner.Run(spec, cancellation);
            if (check && !result.Succeeded)
            {
                var tail = Redact(ProcessRunner.TailOf(result.StandardError.Length > 0 ? result.StandardError : result.StandardOutput, 10));
                throw new CrossboardException(
                    $"{whatFailed} (exit code {result.ExitCode}).{Environment.NewLine}Command: git {Redact(string.Join(' ', args.Select(ProcessSpec.ShellQuote)))} (in {dir}){Environment.NewLine}{Indent(tail)}",
                    logFile);
            }

            return result;
        }
        finally
        {
            log?.Dispose();
        }
    }

    private static string Indent(string text) => string.Join(Environment.NewLine, text.Split('\n').Select(l => "  " + l.TrimEnd('\r')));
}
