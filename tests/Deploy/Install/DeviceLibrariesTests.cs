using Crossboard.Artifacts;
using Crossboard.Deploy;
using Crossboard.Machine;
using Crossboard.Tests.Fixtures.Ssh;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Deploy;

/// <summary>
/// Before uploading, Deploy asks the device (one busybox command) for each shared library the
/// binary NEEDs, and refuses when one is missing, naming the package that provides it. Against a
/// real dropbear device with busybox only, which sees the test machine's /usr/lib.
/// </summary>
[Tier(TestTier.NeedsNamespaces)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DeviceLibrariesTests : IDisposable
{
    private readonly DeployKit _kit = new("device-libs");

    public void Dispose() => _kit.Dispose();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>A real x86-64 program linked against a shared library the device does not have (built here with gcc).</summary>
    private BuiltArtifact LinkedAgainstAbsentLibrary(string soname)
    {
        var dir = _kit.Dir.Combine("absent-lib");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "lib.c"), "int absent_answer(void) { return 42; }\n");
        File.WriteAllText(Path.Combine(dir, "main.c"), "int absent_answer(void);\nint main(void) { return absent_answer() == 42 ? 0 : 1; }\n");
        ProcessRunner.RunChecked(new ProcessSpec("gcc", "-shared", "-fPIC", $"-Wl,-soname,{soname}", "-o", Path.Combine(dir, "libabsent.so"), Path.Combine(dir, "lib.c")), "gcc -shared failed", Cancel);
        var app = Path.Combine(dir, _kit.AppName);
        ProcessRunner.RunChecked(new ProcessSpec("gcc", "-o", app, Path.Combine(dir, "main.c"), $"-L{dir}", "-labsent"), "gcc failed", Cancel);
        return BuiltArtifact.Of(app, _kit.AppName, "x86_64-unknown-linux-gnu", "linked against " + soname);
    }

    [Fact]
    public void A_binary_needing_a_library_the_device_lacks_is_refused_before_the_upload()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear });
        var target = DeployKit.Target(server, [server.AdminKey]);
        var artifact = LinkedAgainstAbsentLibrary("libcrossboard-absent.so.1");
        Assert.Contains("libcrossboard-absent.so.1", ElfFile.Read(artifact.Path).Needed);

        var error = Assert.Throws<CrossboardException>(() => new Deployer(_kit.Settings(smokeVersion: null), _kit.Log).Deploy(target, artifact, cancellation: Cancel));

        Assert.Contains($"{_kit.AppName} is linked dynamically and needs libcrossboard-absent.so.1, which device '{target.Name}' does not have; nothing was uploaded.", error.Message);
        Assert.Contains("Install the package that provides libcrossboard-absent.so.1 on the device", error.Message);
        Assert.DoesNotContain("libc.so.6", error.Message); // the device has the C library: only the missing one is named
        Assert.False(File.Exists(Path.Combine(server.UsrBin, _kit.AppName)));
        Assert.False(File.Exists(Path.Combine(server.UsrBin, _kit.AppName + ".new")));
    }

    [Fact]
    public void A_binary_whose_libraries_the_device_has_deploys_as_before()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear });
        var app = _kit.App("v1");
        Assert.NotEmpty(ElfFile.Read(app.Path).Needed); // dynamic: the check runs

        new Deployer(_kit.Settings(smokeVersion: "v1"), _kit.Log).Deploy(DeployKit.Target(server, [server.AdminKey]), app, cancellation: Cancel);

        Assert.Equal("v1", _kit.VersionOnDevice(server));
    }

    [Fact]
    public void The_refusal_names_the_package_for_the_devices_package_manager()
    {
        var openwrt = DeviceLibraries.Refusal("sensor-log", "omega", ["libpq.so.5", "libsqlite3.so.0"], opkg: true, apt: false);
        var debian = DeviceLibraries.Refusal("sensor-log", "pi", ["libpq.so.5"], opkg: false, apt: true);
        var neither = DeviceLibraries.Refusal("sensor-log", "box", ["libgcc_s.so.1"], opkg: false, apt: false);

        Assert.Contains("Install on the device: opkg update && opkg install libpq libsqlite3.", openwrt);
        Assert.DoesNotContain("apt-get", openwrt);
        Assert.Contains("Install on the device: apt-get install libpq5.", debian);
        Assert.Contains("opkg update && opkg install libgcc (OpenWrt), or apt-get install libgcc-s1 (Debian-based devices)", neither);
    }

    [Fact]
    public void The_check_is_one_command_busybox_sh_runs()
    {
        using var root = new Support.TempDir("device-libs-sh");
        var script = DeviceLibraries.Script(["libc.so.6", "libnot-here.so.9"]);

        var run = ProcessRunner.Run(new ProcessSpec("/bin/busybox", "sh", "-c", script), Cancel);

        Assert.Equal(0, run.ExitCode);
        var (missing, _, apt) = DeviceLibraries.Parse(run.StandardOutput);
        Assert.Equal(["libnot-here.so.9"], missing);
        Assert.True(apt); // this machine is Debian
    }
}
