using Crossboard.Machine;
using Crossboard.Sdk;
using Crossboard.Tests.Fixtures;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Sdk;

/// <summary>SeedConfig's service against the mini SDK's real Kconfig (kconfig-conf), which drops and replaces symbols as OpenWrt's does.</summary>
[Tier(TestTier.Integration)]
public sealed class ConfigSeederTests : IDisposable
{
    private readonly SdkTestbed _bed = new();

    public ConfigSeederTests() => _bed.Clone();

    public void Dispose() => _bed.Dispose();

    private DotConfig Config => DotConfig.Read(_bed.Layout.DotConfig);

    [Fact]
    public void A_good_device_seed_survives_defconfig_and_a_rerun_skips_it()
    {
        var result = _bed.Seed(_bed.Board("omega2p"));

        Assert.False(result.Skipped);
        Assert.Equal(
            ["CONFIG_TARGET_ramips=y", "CONFIG_TARGET_ramips_mt76x8=y", "CONFIG_TARGET_ramips_mt76x8_DEVICE_onion_omega2p=y"],
            result.Seed);
        Assert.Equal("y", Config["CONFIG_TARGET_ramips_mt76x8_DEVICE_onion_omega2p"]);
        Assert.Equal("mipsel_24kc", Config.String("CONFIG_TARGET_ARCH_PACKAGES"));
        Assert.Contains("make defconfig kept all 3 seed lines for board omega2p", _bed.Log.Text);
        Assert.True(File.Exists(_bed.Layout.Log("defconfig")));

        var again = _bed.Seed(_bed.Board("omega2p"));
        Assert.True(again.Skipped);
        Assert.Contains("already seeded and verified at this commit; nothing to do", _bed.Log.Text);

        // A hand-edited .config is not the verified one: seeded again.
        File.AppendAllText(_bed.Layout.DotConfig, "CONFIG_TARGET_ramips_mt76x8_DEVICE_vocore_vocore2=y\n");
        Assert.False(_bed.Seed(_bed.Board("omega2p")).Skipped);
    }

    [Fact]
    public void A_profile_board_and_extra_seed_lines_are_kept()
    {
        var malta = _bed.BoardLike("malta-le", "malta-sdk", "arch = \"mipsel_24kc\"", "arch = \"mipsel_24kc\"\nconfig = [\"CONFIG_MAKE_TOOLCHAIN=y\", \"# CONFIG_SDK is not set\"]");

        var result = _bed.Seed(malta);

        Assert.Equal("CONFIG_TARGET_malta_le_Default=y", result.Seed[2]);
        Assert.Contains("CONFIG_MAKE_TOOLCHAIN=y", result.Seed);
        Assert.Equal("y", Config["CONFIG_MAKE_TOOLCHAIN"]);
        Assert.False(Config.IsSet("CONFIG_SDK"));
        Assert.Equal("Default", Config.String("CONFIG_TARGET_PROFILE"));
    }

    [Fact]
    public void A_misspelt_device_that_defconfig_silently_replaces_is_an_error_naming_it()
    {
        _bed.Seed(_bed.Board("omega2"));
        var before = File.ReadAllText(_bed.Layout.DotConfig);
        var typo = _bed.BoardLike("omega2p", "omega2typo", "device = \"onion_omega2p\"", "device = \"onion_omega2pp\"");

        var error = Assert.Throws<CrossboardException>(() => _bed.Seed(typo));

        Assert.Contains("make defconfig did not keep the seed for board omega2typo: 1 of 3 line(s) were dropped or replaced", error.Message);
        Assert.Contains("dropped: CONFIG_TARGET_ramips_mt76x8_DEVICE_onion_omega2pp=y", error.Message);
        Assert.Contains("make defconfig chose instead: target ramips, subtarget mt76x8, profile DEVICE_7links_wlr-1230", error.Message);
        Assert.Matches(@"omega2typo\.toml\(\d+,1\): device 'onion_omega2pp' is not a device of ramips/mt76x8\. Did you mean 'onion_omega2p'\?", error.Message);
        Assert.Contains("Valid devices (TARGET_DEVICES in target/linux/ramips/image/): 7links_wlr-1230, onion_omega2, onion_omega2p, vocore_vocore2", error.Message);
        Assert.Contains("Full log: " + _bed.Layout.Log("defconfig"), error.Message);
        // Nothing half-done: the previous board's verified .config is back, and is still taken as seeded.
        Assert.Equal(before, File.ReadAllText(_bed.Layout.DotConfig));
        Assert.True(_bed.Seed(_bed.Board("omega2")).Skipped);
        Assert.Equal("y", Config["CONFIG_TARGET_ramips_mt76x8_DEVICE_onion_omega2"]);
    }

    [Fact]
    public void A_wrong_subtarget_is_an_error_listing_the_targets_subtargets()
    {
        var wrong = _bed.BoardLike("omega2p", "omega2sub", "subtarget = \"mt76x8\"", "subtarget = \"mt76x9\"");

        var error = Assert.Throws<CrossboardException>(() => _bed.Seed(wrong));

        Assert.Contains("dropped: CONFIG_TARGET_ramips_mt76x9=y", error.Message);
        Assert.Contains("dropped: CONFIG_TARGET_ramips_mt76x9_DEVICE_onion_omega2p=y", error.Message);
        Assert.Contains("make defconfig chose instead: target ramips, subtarget mt7621, profile ", error.Message);
        Assert.Matches(@"omega2sub\.toml\(\d+,1\): subtarget 'mt76x9' is not a subtarget of ramips\. Did you mean 'mt76x8'\?", error.Message);
        Assert.Contains("Valid subtargets (SUBTARGETS in target/linux/ramips/Makefile): mt7621, mt76x8", error.Message);
        Assert.False(File.Exists(_bed.Layout.DotConfig));
    }

    [Fact]
    public void A_wrong_target_and_an_unknown_extra_symbol_are_errors_too()
    {
        var target = _bed.BoardLike("omega2p", "omega2tgt", "target = \"ramips\"", "target = \"ramipz\"");
        var targetError = Assert.Throws<CrossboardException>(() => _bed.Seed(target));
        Assert.Contains("make defconfig chose instead: target ath79", targetError.Message);
        Assert.Contains("target 'ramipz' is not a target of this tree. Did you mean 'ramips'?", targetError.Message);
        Assert.Contains("Valid targets (target/linux/): ath79, bcm27xx, malta, ramips", targetError.Message);

        var extra = _bed.BoardLike("omega2p", "omega2extra", "arch = \"mipsel_24kc\"", "arch = \"mipsel_24kc\"\nconfig = [\"CONFIG_PACKAGE_not_in_this_tree=y\"]");
        var extraError = Assert.Throws<CrossboardException>(() => _bed.Seed(extra));
        Assert.Contains("dropped: CONFIG_PACKAGE_not_in_this_tree=y", extraError.Message);
        Assert.Contains("come from 'config' in", extraError.Message);
        Assert.Contains("omega2extra.toml", extraError.Message);
    }

    [Fact]
    public void The_tree_lists_devices_per_subtarget_as_defconfig_sees_them()
    {
        var tree = new OpenWrtTree(_bed.Layout.TreeDir);

        Assert.Equal(["ath79", "bcm27xx", "malta", "ramips"], tree.Targets());
        Assert.Equal(["mt7621", "mt76x8"], tree.Subtargets("ramips"));
        // Templates (define Device/7links_wlr-12xx) are not devices; ifeq ($(SUBTARGET),...) blocks pick per subtarget.
        Assert.DoesNotContain("7links_wlr-12xx", tree.Devices("ramips", "mt76x8"));
        Assert.Equal(["rpi"], tree.Devices("bcm27xx", "bcm2708"));
        Assert.Equal(["rpi-2"], tree.Devices("bcm27xx", "bcm2709"));
        Assert.Equal(["Default"], tree.Profiles("malta", "le"));
        Assert.Empty(tree.Profiles("ramips", "mt76x8"));
    }
}
