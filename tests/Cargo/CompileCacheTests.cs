using System.Net;
using System.Net.Sockets;
using Crossboard.Machine;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Cargo;

/// <summary>
/// --compile-cache=sccache with Debian's sccache, for real: a second CargoBuild from a clean
/// target dir gets the crate it built before from the cache (sccache's own hit count says so);
/// and a RUSTC_WRAPPER of the user's own is honoured when crossboard's cache is not asked for.
/// </summary>
[Tier(TestTier.Slow)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CompileCacheTests(CrossBuilds builds) : IDisposable
{
    private static readonly string CachedApp = Path.Combine(RepoPaths.Root, "tests", "Cargo", "Fixtures", "cached-app");

    private readonly TempDir _dir = new("compile-cache");
    private readonly Dictionary<string, string?> _sccache = new();

    public void Dispose()
    {
        if (_sccache.Count > 0)
        {
            // The server this test started, on its own port and cache dir.
            ProcessRunner.Run(new ProcessSpec("sccache", "--stop-server") { Environment = { ["SCCACHE_DIR"] = _sccache["SCCACHE_DIR"], ["SCCACHE_SERVER_PORT"] = _sccache["SCCACHE_SERVER_PORT"] } });
        }

        _dir.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private BuildCli.Result Build(string app, IDictionary<string, string?> environment, params string[] extra)
    {
        // The x86-64 test board: Debian's rustc builds for it with its own std, no --sysroot, which sccache caches.
        var result = BuildCli.Run(["--target=CargoBuild", $"--app={app}", $"--work-dir={builds.WorkDir}", .. Support.DeployKit.BoardSwitches, .. extra], environment, TimeSpan.FromMinutes(5));
        TestContext.Current.TestOutputHelper?.WriteLine(result.All);
        return result;
    }

    [Fact]
    public void A_second_build_from_a_clean_target_dir_is_served_from_sccache()
    {
        var app = _dir.Combine("app");
        CrossBuilds.CopyTree(CachedApp, app);
        _sccache["SCCACHE_DIR"] = _dir.Combine("sccache");
        _sccache["SCCACHE_SERVER_PORT"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);

        var cold = Build(app, _sccache, "--compile-cache=sccache");
        Directory.Delete(Path.Combine(app, "target"), recursive: true);
        var warm = Build(app, _sccache, "--compile-cache=sccache");

        Assert.True(cold.ExitCode == 0, cold.All);
        Assert.True(warm.ExitCode == 0, warm.All);
        Assert.Contains("sccache: 0 compilation(s) served from the cache, 1 compiled and stored", cold.Output); // parts, the library
        Assert.Contains("sccache: 1 compilation(s) served from the cache, 0 compiled and stored", warm.Output);
        Assert.Contains("Compiling parts v0.1.0", warm.Output); // compiled as cargo sees it: rustc's answer came from the cache
        Assert.True(Directory.EnumerateFiles(_sccache["SCCACHE_DIR"]!, "*", SearchOption.AllDirectories).Any(), "sccache stored nothing in SCCACHE_DIR");
    }

    [Fact]
    public void A_rust_that_needs_sysroot_is_said_not_to_be_cached()
    {
        var app = _dir.Combine("app");
        CrossBuilds.CopyTree(CachedApp, app);
        _sccache["SCCACHE_DIR"] = _dir.Combine("sccache");
        _sccache["SCCACHE_SERVER_PORT"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);

        // malta-le with Debian's Rust: its mipsel std comes from the work dir through --sysroot.
        var result = BuildCli.Run(["--target=CargoBuild", $"--app={app}", $"--work-dir={builds.WorkDir}", "--board=malta-le", "--rust=debian", "--compile-cache=sccache"],
            _sccache, TimeSpan.FromMinutes(5));

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("passes rustc --sysroot", result.All);
        Assert.Contains("sccache does not cache such compilations", result.All);
        Assert.DoesNotMatch(@"[1-9]\d* compiled and stored", result.Output); // nothing was cached (when sccache answered its counts)
    }

    [Fact]
    public void A_users_own_RUSTC_WRAPPER_is_honoured_when_crossboard_is_not_asked_for_a_cache()
    {
        var app = _dir.Combine("app");
        CrossBuilds.CopyTree(CachedApp, app);
        var calls = _dir.Combine("wrapper-calls.txt");
        var wrapper = _dir.Write("wrapper.sh", $"#!/bin/sh\necho \"$*\" >> '{calls}'\nexec \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var result = Build(app, new Dictionary<string, string?> { ["RUSTC_WRAPPER"] = wrapper });

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("--crate-name parts", File.ReadAllText(calls));
        Assert.DoesNotContain("sccache:", result.Output);
    }
}
