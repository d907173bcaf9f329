using Crossboard.Cargo;
using Crossboard.Deploy;
using Crossboard.Switches;
using Crossboard.Tests.Support;
using Crossboard.Volume;

namespace Crossboard.Tests.Switches;

/// <summary>
/// The switch table: every switch declared once (name, value, help, default), read and checked
/// by one reader, and --help written from it.
/// </summary>
[Tier(TestTier.Unit)]
public sealed class BuildSwitchesTests
{
    private static BuildSwitches Read(params (string Name, string Value)[] given) =>
        BuildSwitches.Read(name => given.LastOrDefault(g => g.Name == name).Value, path => Path.GetFullPath(path));

    [Fact]
    public void Absent_switches_take_the_defaults_declared_once()
    {
        var switches = Read();

        Assert.Equal(BuildSwitches.DefaultBoard, switches.Board);
        Assert.Equal(FleetRunner.DefaultParallelism, switches.Parallel);
        Assert.Equal(DeploySettings.DefaultSmokeTimeoutSeconds, switches.SmokeTimeoutSeconds);
        Assert.Equal(SdkVolume.DefaultSizeGb, switches.SdkVolumeSizeGb);
        Assert.Equal(CompressionMode.Auto, switches.Compress);
        Assert.Equal(TransferPreference.Auto, switches.Transfer);
        Assert.Null(switches.Rust);
        Assert.True(switches.FastPath);
        Assert.False(switches.Yes);
        Assert.Null(switches.SizeProfile);
        Assert.True(switches.DeploysToEmulator);
        Assert.Equal(Path.Combine(RepoPaths.Root, "samples", "hello"), switches.App);
    }

    [Fact]
    public void Values_are_read_by_their_type_and_words_case_insensitively()
    {
        var switches = Read(("rust", "Nightly"), ("compress", "GZIP"), ("parallel", "8"), ("size-profile", "off"), ("yes", "true"),
            ("fast-path", "false"), ("device", "root@192.168.3.1:2222"), ("emulator-ssh-port", "2222"));

        Assert.Equal(RustProvider.Nightly, switches.Rust);
        Assert.Equal(CompressionMode.Always, switches.Compress);
        Assert.Equal(8, switches.Parallel);
        Assert.False(switches.SizeProfile);
        Assert.True(switches.Yes);
        Assert.False(switches.FastPath);
        Assert.Equal(2222, switches.EmulatorSshPort);
        Assert.False(switches.DeploysToEmulator);
        Assert.Null(Read(("rust", "auto")).Rust);
    }

    [Fact]
    public void Every_bad_value_is_named_in_one_error_with_what_to_use()
    {
        var error = Assert.Throws<InputException>(() => Read(("rust", "beta"), ("parallel", "0"), ("board", "omega2")));

        Assert.Contains("2 switches have bad values:", error.Message);
        Assert.Contains("--rust=beta: use auto, stable (rustup, prebuilt std), nightly (rustup, -Zbuild-std) or debian (Debian's rustc, offline std).", error.Message);
        Assert.Contains("--parallel=0: expected a whole number from 1 to 64.", error.Message);
        Assert.Contains("Nothing was run.", error.Message);
    }

    [Fact]
    public void Help_lists_every_switch_once_with_its_default()
    {
        var help = SwitchTable.HelpText();

        Assert.All(SwitchTable.All, d => Assert.Single(System.Text.RegularExpressions.Regex.Matches(help, $@"^  --{d.Name}=", System.Text.RegularExpressions.RegexOptions.Multiline)));
        Assert.Contains($"--parallel=N ", help);
        Assert.Matches($@"--parallel=N\s+How many devices .* \(default: {FleetRunner.DefaultParallelism}\)", help);
        Assert.Matches(@"--board=NAME\s+.*\(default: malta-le\)", help);
        Assert.Equal(SwitchTable.All.Count, SwitchTable.All.Select(d => d.Name).Distinct().Count());
    }

    [Fact]
    public void The_raw_command_line_is_read_as_the_host_reads_it()
    {
        var values = CommandLineValues.Parse(["--target", "Deploy", "--work-dir=/tmp/w", "--board", "omega2", "--dryrun", "--yes"]);

        Assert.Equal(["Deploy"], values.Targets);
        Assert.Equal("/tmp/w", values["work-dir"]);
        Assert.Equal("omega2", values["board"]);
        Assert.Equal("true", values["dryrun"]);
        Assert.Equal("true", values["yes"]);
        Assert.Equal(["Default"], CommandLineValues.Parse([]).Targets);
        Assert.Equal("/tmp/w", SwitchTable.Value("work-dir", name => values[name], p => p));
    }

    [Fact]
    public void A_compile_cache_with_docker_is_refused_up_front()
    {
        var error = Assert.Throws<InputException>(() => Read(("compile-cache", "sccache"), ("docker", "true")));

        Assert.Contains("--compile-cache=sccache runs with this machine's cargo; the --docker builder image has no sccache yet", error.Message);
        Assert.Equal(Crossboard.Cargo.CompileCache.Sccache, Read(("compile-cache", "SCCACHE")).CompileCache);
        Assert.Equal(Crossboard.Cargo.CompileCache.None, Read().CompileCache);
    }
}
