using Crossboard.Machine;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Machine;

/// <summary>The line a log file starts with: one a user can paste into a shell to rerun the command.</summary>
[Tier(TestTier.Unit)]
public sealed class ProcessSpecTests
{
    [Fact]
    public void The_shell_line_has_the_folder_then_removals_then_assignments_then_the_command_all_quoted()
    {
        var spec = new ProcessSpec("cargo", "build", "--config", "target.\"x\".rustflags = ['a b']")
        {
            WorkingDirectory = "/tmp/my app",
            Environment = { ["Z_SET"] = "1", ["RUSTC"] = null, ["A_SET"] = "two words", ["CARGO_HOME"] = null },
        };

        Assert.Equal(
            "cd '/tmp/my app' && env -u CARGO_HOME -u RUSTC 'A_SET=two words' Z_SET=1 cargo build --config 'target.\"x\".rustflags = ['\\''a b'\\'']'",
            spec.ToShellLine());
        Assert.Equal("ls -l", new ProcessSpec("ls", "-l").ToShellLine());
    }
}
