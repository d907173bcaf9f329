using Crossboard.Machine;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Toolchains;

/// <summary>Which Debian packages are missing, asked of the real dpkg: one query when all are there, exact names when some are not.</summary>
[Tier(TestTier.Unit)]
public sealed class DebianPackagesTests
{
    private static DebianPackages Packages() => new(new Consent(false, false), _ => { });

    [Fact]
    public void Installed_packages_are_not_missing_and_a_missing_one_is_named_among_installed_ones()
    {
        if (!DebianPackages.IsAvailable)
        {
            Assert.Skip("needs dpkg (a Debian/Ubuntu machine)");
        }

        var packages = Packages();

        Assert.Empty(packages.Missing(["dpkg", "coreutils", "dpkg"]));
        Assert.Equal(["crossboard-no-such-package"], packages.Missing(["dpkg", "crossboard-no-such-package", "coreutils"]));
        // Remembered as installed: asked again, still right.
        Assert.Empty(packages.Missing(["coreutils"]));
        Assert.Equal(["crossboard-no-such-package"], packages.Missing(["crossboard-no-such-package"]));
    }
}
