using Cake.Core;
using Cake.Core.Configuration;
using Cake.Core.Diagnostics;
using Cake.Core.IO;
using Cake.Core.Tooling;
using Cake.Git;
using Crossboard.Machine;
using Crossboard.Tests.Fixtures;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Addins;

/// <summary>The Cake.Git-shaped aliases on a real Cake context, and the git wrapper's own rules, against real repositories.</summary>
[Tier(TestTier.Integration)]
public sealed class GitAliasesTests : IDisposable
{
    private readonly MiniSdk _sdk = MiniSdk.Create();
    private readonly TempDir _work = new("git");

    public void Dispose()
    {
        _sdk.Dispose();
        _work.Dispose();
    }

    [Fact]
    public void GitClone_GitLogTip_GitCheckout_and_friends_work_as_in_Cake_Git_and_clone_shallow()
    {
        var context = CakeContext();
        var dir = _work.Combine("sdk");
        var sdk = new DirectoryPath(dir);

        var path = context.GitClone(_sdk.RepoPath, sdk, new GitCloneSettings { BranchName = MiniSdk.Tag });

        Assert.Equal(dir, path.FullPath);
        Assert.True(context.GitIsValidRepository(sdk));
        Assert.Equal(_sdk.CommitOf(MiniSdk.Tag), context.GitLogTip(sdk).Sha);
        Assert.True(new GitClient(LocalCommandRunner.Instance).IsShallow(dir));
        Assert.False(context.GitHasUncommitedChanges(sdk));

        var old = context.GitFetch(sdk, MiniSdk.OldTag);
        context.GitCheckout(sdk, old.Sha);
        Assert.Equal(_sdk.CommitOf(MiniSdk.OldTag), context.GitLogTip(sdk).Sha);

        File.AppendAllText(System.IO.Path.Combine(dir, "rules.mk"), "# edit\n");
        Assert.True(context.GitHasUncommitedChanges(sdk));
        Assert.False(context.GitIsValidRepository(new DirectoryPath(_work.Path)));
    }

    [Fact]
    public void Local_paths_become_file_urls_so_that_depth_is_honoured_and_credentials_are_redacted()
    {
        Assert.Equal(new Uri(_sdk.RepoPath).AbsoluteUri, GitClient.ToFetchUrl(_sdk.RepoPath));
        Assert.StartsWith("file:///", GitClient.ToFetchUrl(_sdk.RepoPath));
        Assert.Equal("https://git.openwrt.org/openwrt/openwrt.git", GitClient.ToFetchUrl("https://git.openwrt.org/openwrt/openwrt.git"));
        Assert.Equal("git@github.com:openwrt/openwrt.git", GitClient.ToFetchUrl("git@github.com:openwrt/openwrt.git"));
        Assert.False(GitClient.IsLocalPath("git@github.com:openwrt/openwrt.git"));
        Assert.Equal("fatal: https://***@example.org/x.git not found", GitClient.Redact("fatal: https://ci:ghp_secret@example.org/x.git not found"));

        // A plain-path clone would copy the whole history; through file:// it is one commit.
        var commit = new GitClient(LocalCommandRunner.Instance).Clone(_sdk.RepoPath, _work.Combine("c"), new GitFetchOptions { Ref = MiniSdk.OldTag }, TestContext.Current.CancellationToken);
        Assert.Equal(_sdk.CommitOf(MiniSdk.OldTag), commit);
        Assert.Equal("1", MiniSdk.Git(_work.Combine("c"), "rev-list", "--count", "--all").Trim());
    }

    /// <summary>
    /// A real Cake context (Cake.Core's own services). Its working directory is left alone: setting
    /// it changes the whole test process's current directory.
    /// </summary>
    private static ICakeContext CakeContext()
    {
        var environment = new CakeEnvironment(new CakePlatform(), new CakeRuntime());
        var fileSystem = new FileSystem();
        var log = new NullLog();
        var configuration = new CakeConfiguration(new Dictionary<string, string>());
        var globber = new Globber(fileSystem, environment);
        var tools = new ToolLocator(environment, new ToolRepository(environment), new ToolResolutionStrategy(fileSystem, environment, globber, configuration, log));
        return new Cake.Core.CakeContext(fileSystem, environment, globber, log, new CakeArguments(Array.Empty<string>().ToLookup(a => a)),
            new Cake.Core.IO.ProcessRunner(fileSystem, environment, log, tools, configuration), new WindowsRegistry(), tools,
            new Cake.Core.CakeDataService(), configuration, new NoToolInstaller(), new NoServices());
    }

    private sealed class NoToolInstaller : IToolInstaller
    {
        public IEnumerable<FilePath> Install(Cake.Core.Packaging.PackageReference tool) => throw new NotSupportedException();
    }

    private sealed class NoServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }
}
