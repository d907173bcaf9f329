using Crossboard.Machine;
using Crossboard.Recipes;
using Crossboard.Tests.Support;
using Crossboard.Toolchains;

namespace Crossboard.Tests.Toolchains;

[Tier(TestTier.Unit)]
public sealed class ToolchainResolverTests
{
    [Fact]
    public void A_debian_toolchain_resolves_to_debians_cross_gcc()
    {
        var catalog = RecipeCatalog.Load(RepoPaths.Recipes, RepoPaths.Toolchains);
        var log = new RecordingBuildLog();
        using var work = new TempDir("work");

        var result = new ToolchainResolver(LocalCommandRunner.Instance, log, new Consent(AssumeYes: false, CanAsk: false))
            .Resolve(catalog.GetBoard("malta-le"), catalog.GetToolchain("debian-mipsel"), work.Path, cancellation: TestContext.Current.CancellationToken);

        Assert.True(result.Reused); // the packages were installed already: nothing installed
        Assert.Equal("/usr/bin/mipsel-linux-gnu-gcc", result.Toolchain.CC);
        Assert.Equal("mipsel-linux-gnu", result.Toolchain.GnuTarget);
        Assert.Equal("/usr/mipsel-linux-gnu", result.Toolchain.Sysroot);
        Assert.Contains("Toolchain debian-mipsel: /usr/bin/mipsel-linux-gnu-gcc", log.Text);
        // No SDK tree, no lock: the work dir holds only the kept probe answers.
        Assert.Equal([Path.Combine(work.Path, "state")], Directory.GetFileSystemEntries(work.Path));
        Assert.Equal([Path.Combine(work.Path, "state", "probes.json")], Directory.GetFileSystemEntries(Path.Combine(work.Path, "state")));
    }
}
