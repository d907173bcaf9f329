using Crossboard.Tests.Support;
using Crossboard.Volume;

namespace Crossboard.Tests.Volume;

/// <summary>The case-sensitivity probe on an ordinary Linux folder, and PrepareVolume leaving such a folder alone (no root needed).</summary>
[Tier(TestTier.Unit)]
public sealed class CaseSensitivityTests
{
    [Fact]
    public void The_probe_finds_an_ordinary_linux_folder_case_sensitive_and_leaves_nothing_behind()
    {
        using var dir = new TempDir("probe");

        Assert.True(CaseSensitivity.IsCaseSensitive(dir.Path));
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));

        var log = new RecordingBuildLog();
        var result = new SdkVolume(log, HostPlatform.Linux, isRoot: false).Prepare(dir.Path, dir.Combine("sdk"), cancellation: TestContext.Current.CancellationToken);
        Assert.Equal("already case-sensitive", result.Action);
        Assert.Null(result.Image);
        Assert.Equal([$"{dir.Combine("sdk")} is case-sensitive; nothing to do."], log.Lines);
    }
}
