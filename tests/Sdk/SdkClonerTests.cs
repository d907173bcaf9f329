using Cake.Git;
using Crossboard.Machine;
using Crossboard.Sdk;
using Crossboard.Tests.Fixtures;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Sdk;

/// <summary>CloneSdk's service against a real git repository shaped like OpenWrt's (tags, an annotated tag, branches).</summary>
[Tier(TestTier.Integration)]
public sealed class SdkClonerTests : IDisposable
{
    private readonly SdkTestbed _bed = new();

    public void Dispose() => _bed.Dispose();

    private GitClient Git => new(_bed.Runner);

    [Fact]
    public void A_fresh_clone_is_shallow_at_the_pinned_tag()
    {
        var checkout = _bed.Clone(MiniSdk.Tag);

        Assert.True(checkout.Changed);
        Assert.Equal(_bed.Layout.TreeDir, checkout.TreeDir);
        Assert.Equal(_bed.Sdk.CommitOf(MiniSdk.Tag), checkout.Commit);
        Assert.Equal(checkout.Commit, Git.Head(checkout.TreeDir));
        Assert.True(Git.IsShallow(checkout.TreeDir));
        Assert.Equal("1", MiniSdk.Git(checkout.TreeDir, "rev-list", "--count", "HEAD").Trim());
        Assert.Equal("VERSION_NUMBER:=24.10.8\n", File.ReadAllText(Path.Combine(checkout.TreeDir, "include", "version.mk")));
        Assert.False(Directory.Exists(_bed.Layout.PartialTreeDir));
        Assert.Contains($"Cloning {_bed.Sdk.RepoPath} at {MiniSdk.Tag} (shallow)", _bed.Log.Text);
    }

    [Fact]
    public void A_rerun_at_the_right_commit_does_nothing_not_even_a_fetch()
    {
        var first = _bed.Clone();
        // Without the source, any fetch would fail: the rerun must not need it.
        Directory.Move(_bed.Sdk.RepoPath, _bed.Sdk.RepoPath + ".away");
        Directory.CreateDirectory(_bed.Sdk.RepoPath);
        try
        {
            var second = _bed.Clone();

            Assert.False(second.Changed);
            Assert.Equal(first.Commit, second.Commit);
            Assert.Contains($"is at {MiniSdk.Tag} ({first.Commit[..12]}); nothing to do.", _bed.Log.Text);
        }
        finally
        {
            Directory.Delete(_bed.Sdk.RepoPath);
            Directory.Move(_bed.Sdk.RepoPath + ".away", _bed.Sdk.RepoPath);
        }
    }

    [Fact]
    public void Another_ref_is_fetched_and_checked_out()
    {
        _bed.Clone(MiniSdk.OldTag);
        Assert.Equal("VERSION_NUMBER:=24.10.7\n", File.ReadAllText(Path.Combine(_bed.Layout.TreeDir, "include", "version.mk")));

        var moved = _bed.Clone(MiniSdk.Tag);

        Assert.True(moved.Changed);
        Assert.Equal(_bed.Sdk.CommitOf(MiniSdk.Tag), Git.Head(_bed.Layout.TreeDir));
        Assert.Equal("VERSION_NUMBER:=24.10.8\n", File.ReadAllText(Path.Combine(_bed.Layout.TreeDir, "include", "version.mk")));

        var branch = _bed.Clone(MiniSdk.BrokenBranch);
        Assert.Equal(_bed.Sdk.CommitOf(MiniSdk.BrokenBranch), branch.Commit);
        Assert.Contains("$(PKG_VERSION)-r1.tar.gz", File.ReadAllText(Path.Combine(_bed.Layout.TreeDir, "toolchain", "gcc", "Makefile")));

        var byCommit = _bed.Clone(_bed.Sdk.CommitOf(MiniSdk.OldTag));
        Assert.Equal(_bed.Sdk.CommitOf(MiniSdk.OldTag), byCommit.Commit);
    }

    [Fact]
    public void Local_changes_are_never_discarded_to_check_out_another_ref()
    {
        _bed.Clone(MiniSdk.OldTag);
        var edited = Path.Combine(_bed.Layout.TreeDir, "rules.mk");
        File.AppendAllText(edited, "# my local tweak\n");
        var before = Git.Head(_bed.Layout.TreeDir);

        var error = Assert.Throws<CrossboardException>(() => _bed.Clone(MiniSdk.Tag));

        Assert.Contains("has local changes to 1 tracked file(s) (rules.mk)", error.Message);
        Assert.Contains("will not discard them", error.Message);
        Assert.Contains("stash", error.Message);
        Assert.EndsWith("# my local tweak\n", File.ReadAllText(edited));
        Assert.Equal(before, Git.Head(_bed.Layout.TreeDir));

        // At the right commit the changes are kept and built with, with a warning.
        var same = _bed.Clone(MiniSdk.OldTag);
        Assert.False(same.Changed);
        Assert.Contains("[warning] The SDK tree", _bed.Log.Text);
    }

    [Fact]
    public void An_interrupted_clone_is_not_taken_as_complete_and_is_redone()
    {
        using var stop = new CancellationTokenSource();
        using (var workspace = _bed.Open())
        {
            var interrupted = new SdkCloner(new GitClient(new StoppingRunner(_bed.Runner, "fetch", stop)), _bed.Log);
            Assert.ThrowsAny<OperationCanceledException>(() =>
                interrupted.Ensure(workspace, new SdkSource(_bed.Sdk.RepoPath, MiniSdk.Tag), stop.Token));
        }

        Assert.False(Directory.Exists(_bed.Layout.TreeDir));
        Assert.True(Directory.Exists(_bed.Layout.PartialTreeDir));

        var checkout = _bed.Clone();

        Assert.True(checkout.Changed);
        Assert.Equal(_bed.Sdk.CommitOf(MiniSdk.Tag), Git.Head(_bed.Layout.TreeDir));
        Assert.False(Directory.Exists(_bed.Layout.PartialTreeDir));
        Assert.Contains("An interrupted clone was left at", _bed.Log.Text);
        Assert.Empty(Git.TrackedChanges(_bed.Layout.TreeDir));
    }

    [Fact]
    public void An_interrupted_checkout_of_another_ref_is_finished_on_the_next_run()
    {
        _bed.Clone(MiniSdk.OldTag);
        using (var workspace = _bed.Open())
        {
            using var stop = new CancellationTokenSource();
            var interrupted = new SdkCloner(new GitClient(new StoppingRunner(_bed.Runner, "checkout", stop)), _bed.Log);
            Assert.ThrowsAny<OperationCanceledException>(() =>
                interrupted.Ensure(workspace, new SdkSource(_bed.Sdk.RepoPath, MiniSdk.Tag), stop.Token));
        }

        // Where the kill lands decides which of git's locks it leaves (seen in CI: HEAD.lock, when
        // it was moving HEAD): leave them all, as the unluckiest kill would.
        foreach (var lockFile in new[] { "index.lock", "HEAD.lock" })
        {
            File.WriteAllText(Path.Combine(_bed.Layout.TreeDir, ".git", lockFile), "");
        }

        var checkout = _bed.Clone(MiniSdk.Tag);

        Assert.Equal(_bed.Sdk.CommitOf(MiniSdk.Tag), checkout.Commit);
        Assert.Equal(checkout.Commit, Git.Head(_bed.Layout.TreeDir));
        Assert.Contains("was interrupted; finishing it", _bed.Log.Text);
    }

    [Fact]
    public void A_missing_source_or_ref_is_a_clear_error_and_leaves_no_tree()
    {
        using (var workspace = _bed.Open())
        {
            var cloner = new SdkCloner(new GitClient(_bed.Runner), _bed.Log);
            var noPath = Assert.Throws<CrossboardException>(() => cloner.Ensure(workspace, new SdkSource(_bed.Work.Combine("nowhere"), MiniSdk.Tag), SdkTestbed.Cancel));
            Assert.Contains("does not exist. Give --sdk-source=URL|PATH", noPath.Message);

            var noRef = Assert.Throws<CrossboardException>(() => cloner.Ensure(workspace, new SdkSource(_bed.Sdk.RepoPath, "v99.0.0"), SdkTestbed.Cancel));
            Assert.Contains("Fetching 'v99.0.0'", noRef.Message);
            Assert.Contains("does not exist there", noRef.Message);
        }

        Assert.False(Directory.Exists(_bed.Layout.TreeDir));
        Assert.False(Directory.Exists(_bed.Layout.PartialTreeDir));
    }

    [Fact]
    public void Credentials_in_a_source_url_never_reach_the_message_or_the_log()
    {
        using var workspace = _bed.Open();
        var cloner = new SdkCloner(new GitClient(_bed.Runner), _bed.Log);

        var error = Assert.Throws<CrossboardException>(() =>
            cloner.Ensure(workspace, new SdkSource("http://builder:s3cret-token@127.0.0.1:9/openwrt.git", MiniSdk.Tag), SdkTestbed.Cancel));

        Assert.DoesNotContain("s3cret-token", error.Message);
        Assert.Contains("http://***@127.0.0.1:9/openwrt.git", error.Message);
        Assert.DoesNotContain("s3cret-token", _bed.Log.Text);
        Assert.DoesNotContain("s3cret-token", File.ReadAllText(_bed.Layout.Log("git")));
    }

    [Fact]
    public void A_second_run_on_the_same_tree_gets_a_clear_message_while_the_first_holds_it()
    {
        using var first = _bed.Open();

        var error = Assert.Throws<CrossboardException>(() => _bed.Open(TimeSpan.Zero));

        Assert.Contains("Another crossboard run is using", error.Message);
        Assert.Contains(_bed.Layout.LockDir, error.Message);
        Assert.Contains("Wait for it to finish, or use another --work-dir", error.Message);
    }

    /// <summary>Runs commands for real and cancels the run as soon as the named git command prints its first line.</summary>
    private sealed class StoppingRunner(ICommandRunner inner, string gitCommand, CancellationTokenSource stop) : ICommandRunner
    {
        public Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellation = default)
        {
            if (spec.Arguments.Contains(gitCommand))
            {
                var onLine = spec.OnLine;
                spec = new ProcessSpec(spec.FileName, [.. spec.Arguments])
                {
                    WorkingDirectory = spec.WorkingDirectory,
                    Environment = spec.Environment,
                    OnLine = line =>
                    {
                        onLine?.Invoke(line);
                        stop.Cancel();
                    },
                };
                if (gitCommand == "checkout")
                {
                    stop.Cancel(); // checkout prints nothing with --quiet: stop it as it starts
                }
            }

            return inner.RunAsync(spec, cancellation);
        }
    }
}
