using Cake.Core;
using Cake.Core.Annotations;
using Cake.Core.IO;
using Cake.Git;
using Crossboard;
using Crossboard.Machine;

namespace Cake.Git;

/// <summary>Settings for <see cref="GitAliases.GitClone(ICakeContext, string, DirectoryPath, GitCloneSettings)"/>, after Cake.Git's.</summary>
public sealed class GitCloneSettings
{
    /// <summary>The tag, branch or commit to check out (Cake.Git's BranchName); HEAD's branch when null.</summary>
    public string? BranchName { get; set; }

    /// <summary>1 (shallow) by default; null for the full history. Cake.Git 0.22 has no shallow clone.</summary>
    public int? Depth { get; set; } = 1;
}

/// <summary>A commit, as Cake.Git's GitLogTip returns it (only what crossboard reads).</summary>
public sealed record GitCommit(string Sha);

/// <summary>
/// Cake.Git's alias shape (GitClone, GitFetch, GitCheckout, GitLogTip, ...) over
/// <see cref="GitClient"/>: Cake.Git 0.22.0 cannot load its libgit2 on OpenSSL 3 and has no
/// shallow clone. Build scripts use these; crossboard's own services use GitClient directly
/// (with the command runner --docker chooses).
/// </summary>
[CakeAliasCategory("Git")]
public static class GitAliases
{
    [CakeMethodAlias]
    public static DirectoryPath GitClone(this ICakeContext context, string sourceUrl, DirectoryPath workDirectoryPath) =>
        context.GitClone(sourceUrl, workDirectoryPath, new GitCloneSettings());

    [CakeMethodAlias]
    public static DirectoryPath GitClone(this ICakeContext context, string sourceUrl, DirectoryPath workDirectoryPath, GitCloneSettings settings)
    {
        var dir = Absolute(context, workDirectoryPath);
        Client().Clone(sourceUrl, dir, new GitFetchOptions { Ref = settings.BranchName ?? "HEAD", Depth = settings.Depth });
        return workDirectoryPath;
    }

    /// <summary>Fetches <paramref name="reference"/> from origin; returns the commit it names.</summary>
    [CakeMethodAlias]
    public static GitCommit GitFetch(this ICakeContext context, DirectoryPath repositoryDirectoryPath, string reference, int? depth = 1) =>
        new(Client().Fetch(Absolute(context, repositoryDirectoryPath), new GitFetchOptions { Ref = reference, Depth = depth }));

    [CakeMethodAlias]
    public static void GitCheckout(this ICakeContext context, DirectoryPath repositoryDirectoryPath, string committishOrBranchSpec) =>
        Client().Checkout(Absolute(context, repositoryDirectoryPath), committishOrBranchSpec);

    [CakeMethodAlias]
    public static GitCommit GitLogTip(this ICakeContext context, DirectoryPath repositoryDirectoryPath)
    {
        var dir = Absolute(context, repositoryDirectoryPath);
        return new GitCommit(Client().Head(dir) ?? throw new CrossboardException($"{dir} has no commit checked out."));
    }

    /// <summary>Changes to tracked files (the spelling is Cake.Git's).</summary>
    [CakeMethodAlias]
    public static bool GitHasUncommitedChanges(this ICakeContext context, DirectoryPath repositoryDirectoryPath) =>
        Client().TrackedChanges(Absolute(context, repositoryDirectoryPath)).Count > 0;

    [CakeMethodAlias]
    public static bool GitIsValidRepository(this ICakeContext context, DirectoryPath repositoryDirectoryPath) =>
        Client().IsRepository(Absolute(context, repositoryDirectoryPath));

    private static GitClient Client() => new(LocalCommandRunner.Instance);

    private static string Absolute(ICakeContext context, DirectoryPath path) =>
        path.MakeAbsolute(context.Environment).FullPath;
}
