using System.Collections.Concurrent;
using System.Text.Json;
using Crossboard.Cargo;
using Crossboard.FastPath;
using Crossboard.Machine;
using Crossboard.Recipes;
using Crossboard.Tests.Support;
using Crossboard.Toolchains;

namespace Crossboard.Tests.FastPath;

/// <summary>
/// Host probe answers kept across runs: reused while their files are unchanged, probed again when
/// one changes, never taken from a corrupt file, never kept when the probe failed; and the Debian
/// toolchain's and Debian Rust's answers the same from the cache as from a fresh probe.
/// </summary>
[Tier(TestTier.Unit)]
public sealed class ProbeCacheTests : IDisposable
{
    private readonly TempDir _dir = new("probes");

    public void Dispose() => _dir.Dispose();

    /// <summary>The real local runner, counting what it runs.</summary>
    private sealed class CountingRunner : ICommandRunner
    {
        public ConcurrentQueue<string> Commands { get; } = new();

        public Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellation = default)
        {
            Commands.Enqueue(spec.ToString());
            return LocalCommandRunner.Instance.RunAsync(spec, cancellation);
        }
    }

    private ProbeCache Cache() => ProbeCache.InWorkDir(_dir.Combine("work")) ?? throw new InvalidOperationException("the fast path is off in this test process");

    /// <summary>A probe that counts its runs and depends on <paramref name="files"/>.</summary>
    private static Func<ProbeAnswer?> Probe(StrongBox<int> runs, string value, params string[] files) => () =>
    {
        runs.Value++;
        return new ProbeAnswer(value, files);
    };

    private sealed class StrongBox<T>(T value)
    {
        public T Value { get; set; } = value;
    }

    [Fact]
    public void A_stored_answer_is_reused_without_probing_also_by_another_run()
    {
        var file = _dir.Write("dep.txt", "one");
        var runs = new StrongBox<int>(0);

        Assert.Equal("answer", Cache().GetOrProbe("q", Probe(runs, "answer", file)));
        Assert.Equal("answer", Cache().GetOrProbe("q", Probe(runs, "other", file)));
        var reused = Cache();
        Assert.Equal("answer", reused.GetOrProbe("q", Probe(runs, "other", file)));

        Assert.Equal(1, runs.Value);
        Assert.True(File.Exists(_dir.Combine("work", "state", "probes.json")));
        Assert.Empty(Directory.GetFiles(_dir.Combine("work", "state"), "*.tmp"));
    }

    [Fact]
    public void Touching_resizing_replacing_or_removing_a_dependency_probes_again()
    {
        var file = _dir.Write("dep.txt", "one");
        var runs = new StrongBox<int>(0);
        var cache = Cache();
        cache.GetOrProbe("q", Probe(runs, "a", file));

        File.SetLastWriteTimeUtc(file, File.GetLastWriteTimeUtc(file).AddSeconds(-10)); // touch (an older time counts too)
        Assert.Equal("b", cache.GetOrProbe("q", Probe(runs, "b", file)));
        Assert.Equal(2, runs.Value);

        var time = File.GetLastWriteTimeUtc(file);
        File.WriteAllText(file, "three"); // another size, the same mtime
        File.SetLastWriteTimeUtc(file, time);
        Assert.Equal("c", cache.GetOrProbe("q", Probe(runs, "c", file)));
        Assert.Equal(3, runs.Value);

        // Replaced by another file of the same size and mtime (a binary copied over by hand): a new inode.
        var other = _dir.Write("other.txt", "thre3");
        File.SetLastWriteTimeUtc(other, time);
        File.Move(other, file, overwrite: true);
        Assert.Equal("d", cache.GetOrProbe("q", Probe(runs, "d", file)));
        Assert.Equal(4, runs.Value);

        File.Delete(file);
        Assert.Equal("e", cache.GetOrProbe("q", Probe(runs, "e", file)));
        Assert.Equal(5, runs.Value);
        Assert.Equal("e", cache.GetOrProbe("q", Probe(runs, "f", file))); // absent, and still absent
        Assert.Equal(5, runs.Value);
    }

    [Fact]
    public void A_file_appearing_in_an_absent_path_or_a_watched_folder_probes_again()
    {
        var missing = _dir.Combine("sysroot", "include", "stdio.h");
        var folder = Directory.CreateDirectory(_dir.Combine("bin")).FullName;
        var runs = new StrongBox<int>(0);
        var cache = Cache();
        cache.GetOrProbe("q", Probe(runs, "a", missing, folder));

        _dir.Write("sysroot/include/stdio.h", "#pragma once");
        cache.GetOrProbe("q", Probe(runs, "b", missing, folder));
        Assert.Equal(2, runs.Value);

        _dir.Write("bin/mipsel-linux-gnu-gcc", "#!/bin/sh"); // a compiler of the same name, earlier on PATH
        Assert.Equal("c", cache.GetOrProbe("q", Probe(runs, "c", missing, folder)));
        Assert.Equal(3, runs.Value);
    }

    [Fact]
    public void A_link_pointed_elsewhere_probes_again()
    {
        var first = _dir.Write("gcc-12", "twelve");
        var second = _dir.Write("gcc-13", "thirteen");
        var link = _dir.Combine("gcc");
        File.CreateSymbolicLink(link, first);
        var runs = new StrongBox<int>(0);
        var cache = Cache();
        cache.GetOrProbe("q", Probe(runs, "a", link));

        File.WriteAllText(first, "twelve, patched"); // what the link points to changed
        cache.GetOrProbe("q", Probe(runs, "b", link));
        Assert.Equal(2, runs.Value);

        File.Delete(link);
        File.CreateSymbolicLink(link, second); // update-alternatives
        Assert.Equal("c", cache.GetOrProbe("q", Probe(runs, "c", link)));
        Assert.Equal(3, runs.Value);
    }

    [Theory]
    [InlineData("{\"version\":1,\"answers\":{\"q\":{\"value\":\"stale\",\"files\":{")]
    [InlineData("not json at all")]
    [InlineData("")]
    [InlineData("[1,2,3]")]
    [InlineData("{\"version\":1,\"answers\":{\"q\":{\"value\":42,\"files\":{}}}}")]
    [InlineData("{\"version\":1,\"answers\":{\"q\":{\"value\":\"stale\",\"files\":{\"/x\":7}}}}")]
    [InlineData("{\"version\":99,\"answers\":{\"q\":{\"value\":\"stale\",\"files\":{}}}}")]
    public void A_corrupt_or_foreign_cache_file_is_ignored_and_replaced(string content)
    {
        var path = _dir.Write("work/state/probes.json", content);
        var runs = new StrongBox<int>(0);

        Assert.Equal("fresh", Cache().GetOrProbe("q", Probe(runs, "fresh")));
        Assert.Equal(1, runs.Value);
        using (var json = JsonDocument.Parse(File.ReadAllText(path)))
        {
            Assert.Equal(1, json.RootElement.GetProperty("version").GetInt32());
        }

        Assert.Equal("fresh", Cache().GetOrProbe("q", Probe(runs, "again")));
        Assert.Equal(1, runs.Value);
    }

    [Fact]
    public void A_failed_probe_is_not_kept()
    {
        var runs = 0;
        var cache = Cache();
        Assert.Null(cache.GetOrProbe("q", () => { runs++; return null; }));
        Assert.Null(Cache().GetOrProbe("q", () => { runs++; return null; }));
        Assert.Equal(2, runs);
        Assert.False(cache.TryGet("q", out _));
    }

    [Fact]
    public void Runs_writing_at_once_leave_a_readable_file()
    {
        var file = _dir.Write("dep.txt", "one");
        Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            for (var round = 0; round < 5; round++)
            {
                Cache().Store($"q{i}-{round}", new ProbeAnswer($"a{i}", [file]));
            }
        });

        using var json = JsonDocument.Parse(File.ReadAllText(_dir.Combine("work", "state", "probes.json")));
        Assert.NotEmpty(json.RootElement.GetProperty("answers").EnumerateObject());
        Assert.Empty(Directory.GetFiles(_dir.Combine("work", "state"), "*.tmp"));
        // An entry lost to a concurrent writer is a probe next time; one that is there is right.
        var cache = Cache();
        for (var i = 0; i < 16; i++)
        {
            Assert.Equal($"a{i}", cache.GetOrProbe($"q{i}-4", () => new ProbeAnswer($"a{i}", [file])));
        }
    }

    [Fact]
    public void The_debian_toolchain_resolves_the_same_from_the_cache_without_running_anything()
    {
        var definition = DebianMipsel();
        var packages = new DebianPackages(new Consent(false, false), _ => { });
        var fresh = new DebianToolchain(packages, new RecordingBuildLog(), LocalCommandRunner.Instance).Resolve(definition);

        var first = new CountingRunner();
        var probed = new DebianToolchain(packages, new RecordingBuildLog(), first) { Probes = Cache() }.Resolve(definition);
        Assert.Single(first.Commands);
        var again = new CountingRunner();
        var cached = new DebianToolchain(packages, new RecordingBuildLog(), again) { Probes = Cache() }.Resolve(definition);
        Assert.Empty(again.Commands);

        foreach (var resolved in new[] { probed, cached })
        {
            Assert.Equal((fresh.Definition, fresh.CC, fresh.BinDir, fresh.AR, fresh.Strip, fresh.Sysroot, fresh.GnuTarget, fresh.Libc),
                (resolved.Definition, resolved.CC, resolved.BinDir, resolved.AR, resolved.Strip, resolved.Sysroot, resolved.GnuTarget, resolved.Libc));
            Assert.Equal(fresh.CFlags, resolved.CFlags);
            Assert.Equal(fresh.Environment, resolved.Environment);
        }
    }

    [Fact]
    public void Installed_packages_come_from_the_cache_while_dpkg_is_unchanged_and_architectures_from_dpkg_s_own_file()
    {
        RequireDebian();
        var packages = new DebianPackages(new Consent(false, false), _ => { }) { Probes = Cache() };
        Assert.Empty(packages.Missing(["dpkg", "coreutils"]));

        var text = File.ReadAllText(_dir.Combine("work", "state", "probes.json"));
        Assert.Contains("dpkg-query installed coreutils dpkg", text);
        Assert.Contains("/var/lib/dpkg/status", text);

        // Architectures are read from dpkg's arch file, no process started: the same answers as dpkg's.
        var known = Dpkg("--print-foreign-architectures").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Append(Dpkg("--print-architecture"));
        Assert.All(known, arch => Assert.True(DebianPackages.HasArchitecture(arch), arch));
        Assert.False(DebianPackages.HasArchitecture("crossboardarch"));
        packages.EnsureArchitecture(Dpkg("--print-architecture")); // known: nothing to ask, nothing to do

        // A missing package is never kept: asked again, still missing.
        var again = new DebianPackages(new Consent(false, false), _ => { }) { Probes = Cache() };
        Assert.Equal(["crossboard-no-such-package"], again.Missing(["dpkg", "crossboard-no-such-package"]));
        Assert.Equal(["crossboard-no-such-package"], again.Missing(["crossboard-no-such-package"]));
        Assert.Empty(again.Missing(["coreutils", "dpkg"]));
    }

    [Fact]
    public void Debian_rust_answers_the_same_from_the_cache_without_running_anything()
    {
        RequireDebian();
        if (!File.Exists(DebianRustStd.DebianRustc) || !File.Exists(DebianRustStd.DebianCargo))
        {
            Assert.Skip("needs Debian's rustc and cargo (tests/setup/install-prereqs.sh installs them)");
        }

        var log = new RecordingBuildLog();
        var packages = new DebianPackages(new Consent(false, false), _ => { });
        var work = _dir.Combine("work");
        string[] triples = ["mipsel-unknown-linux-gnu", "x86_64-unknown-linux-gnu", "no-such-target-triple"];
        var fresh = new DebianRustStd(packages, LocalCommandRunner.Instance, work, log);
        var expected = (fresh.HostRustc(), string.Join(",", triples.Select(fresh.HasInstalledStd)));
        Assert.NotNull(expected.Item1);
        Assert.Equal("True", expected.Item2.Split(',')[1]); // the host's own std comes with rustc

        var first = new CountingRunner();
        var probing = new DebianRustStd(packages, first, work, log, Cache());
        Assert.Equal(expected, (probing.HostRustc(), string.Join(",", triples.Select(probing.HasInstalledStd))));
        Assert.NotEmpty(first.Commands);

        var again = new CountingRunner();
        var cached = new DebianRustStd(packages, again, work, log, Cache());
        Assert.Equal(expected, (cached.HostRustc(), string.Join(",", triples.Select(cached.HasInstalledStd))));
        // The unknown target's failed look is not kept: rustc is asked about it again, and only about it.
        Assert.Equal([$"{DebianRustStd.DebianRustc} --print target-libdir --target no-such-target-triple"], again.Commands);
    }

    private static void RequireDebian()
    {
        if (!DebianPackages.IsAvailable)
        {
            Assert.Skip("needs dpkg (a Debian/Ubuntu machine)");
        }
    }

    private static string Dpkg(string argument) =>
        ProcessRunner.RunChecked(new ProcessSpec("dpkg", argument), "dpkg").StandardOutput.Trim();

    private static ToolchainDefinition DebianMipsel()
    {
        RequireDebian();
        var catalog = RecipeCatalog.Load(RepoPaths.Recipes, RepoPaths.Toolchains, null);
        var definition = catalog.Toolchains.Single(t => t.Name == "debian-mipsel");
        if (!DebianPackages.IsInstalled("gcc-mipsel-linux-gnu") || !DebianPackages.IsInstalled("libc6-dev-mipsel-cross"))
        {
            Assert.Skip("needs gcc-mipsel-linux-gnu and libc6-dev-mipsel-cross (tests/setup/install-prereqs.sh installs them)");
        }

        return definition;
    }
}
