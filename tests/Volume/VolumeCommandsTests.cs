using Crossboard.Tests.Support;
using Crossboard.Volume;

namespace Crossboard.Tests.Volume;

/// <summary>
/// The command lines PrepareVolume would run on macOS and Windows, compared as text: neither
/// system is here to run them, so these check what would be run, not that it works.
/// </summary>
[Tier(TestTier.Unit)]
public sealed class VolumeCommandsTests
{
    [Fact]
    public void On_macOS_the_command_lines_are_hdiutil_create_of_a_sparse_case_sensitive_apfs_image_and_hdiutil_attach_at_the_sdk_folder()
    {
        Assert.Equal(
            "hdiutil create -size 20g -type SPARSE -fs 'Case-sensitive APFS' -volname crossboard-sdk /Users/dev/Library/Caches/crossboard/sdk-volume",
            VolumeCommands.MacCreate(SdkVolume.MacImage("/Users/dev/Library/Caches/crossboard"), 20 * 1024).ToString());
        Assert.Equal(
            "hdiutil attach -nobrowse -mountpoint /Users/dev/Library/Caches/crossboard/sdk /Users/dev/Library/Caches/crossboard/sdk-volume.sparseimage",
            VolumeCommands.MacAttach(SdkVolume.MacImage("/Users/dev/Library/Caches/crossboard") + ".sparseimage", "/Users/dev/Library/Caches/crossboard/sdk").ToString());
        Assert.Equal("hdiutil create -size 512m -type SPARSE -fs 'Case-sensitive APFS' -volname crossboard-sdk /tmp/v", VolumeCommands.MacCreate("/tmp/v", 512).ToString());
    }

    [Fact]
    public void On_Windows_the_command_line_is_fsutil_setting_the_folders_case_sensitive_flag()
    {
        Assert.Equal(@"fsutil.exe file setCaseSensitiveInfo 'C:\Users\dev\AppData\Local\crossboard\sdk' enable",
            VolumeCommands.WindowsEnable(@"C:\Users\dev\AppData\Local\crossboard\sdk").ToString());
    }
}
