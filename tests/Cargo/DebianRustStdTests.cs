using Crossboard.Cargo;
using Crossboard.Machine;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Cargo;

/// <summary>The private sysroot of Debian's Rust std: never taken as complete when it is not, made once.</summary>
[Tier(TestTier.Slow)]
public sealed class DebianRustStdTests : IDisposable
{
    private readonly TempDir _work = new("rust-std");
    private readonly RecordingBuildLog _log = new();

    public void Dispose() => _work.Dispose();

    [Fact]
    public void An_interrupted_unpack_is_not_taken_as_complete_and_is_redone_then_reused()
    {
        var std = new DebianRustStd(new DebianPackages(CrossBuilds.Yes, _log.Information), LocalCommandRunner.Instance, _work.Path, _log);
        var (_, version) = std.HostRustc() ?? throw new InvalidOperationException("Debian's rustc is missing: tests/setup/install-prereqs.sh installs it");
        var parent = _work.Combine("rust-std", "debian-" + version.Replace('+', '_'));
        const string triple = "aarch64-unknown-linux-gnu";
        // What a run killed half-way leaves: a root without the completion stamp, and a partial folder.
        var fake = Path.Combine(parent, triple, "lib", "rustlib", triple, "lib", "libstd-half.rlib");
        Directory.CreateDirectory(Path.GetDirectoryName(fake)!);
        File.WriteAllText(fake, "half");
        Directory.CreateDirectory(Path.Combine(parent, triple + ".partial-999999", "unpacked"));

        var sysroot = std.EnsureSysroot(triple, "arm64", "libstd-rust-dev", version);

        Assert.Equal(Path.Combine(parent, triple), sysroot);
        Assert.False(File.Exists(fake));
        Assert.False(Directory.Exists(Path.Combine(parent, triple + ".partial-999999")));
        Assert.Single(Directory.GetDirectories(parent)); // only the finished sysroot
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(sysroot, "lib", "rustlib", triple, "lib"), "libstd-*.rlib"));
        Assert.Contains("Fetching Debian's Rust std for aarch64-unknown-linux-gnu", _log.Text);

        var again = new RecordingBuildLog();
        var second = new DebianRustStd(new DebianPackages(CrossBuilds.Yes, again.Information), LocalCommandRunner.Instance, _work.Path, again)
            .EnsureSysroot(triple, "arm64", "libstd-rust-dev", version);
        Assert.Equal(sysroot, second);
        Assert.DoesNotContain("Fetching", again.Text);
    }
}
