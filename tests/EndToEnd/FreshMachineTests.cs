using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Crossboard.Machine;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.EndToEnd;

/// <summary>
/// The README's first command on a fresh machine: a bare Debian 12 container (debootstrap
/// minbase) with nothing but the .NET SDK (mounted read-only from the host, as an SDK install
/// would put it) and libicu72, git and ca-certificates (and sudo, for a non-root user), the project
/// cloned, `./build.sh --target=Deploy` run on a terminal and the question answered `y`. The
/// contract: it asks once, before any task, for everything it will install; the first run ends
/// with the smoke check passed; a second run asks nothing and transfers nothing.
///
/// The container has no network (--network=none: the suite talks only to 127.0.0.0/8 and the
/// namespaces it makes). Its apt source is a local partial Debian mirror and its NuGet source a
/// local folder feed, both made before the tests by tests/setup/fresh-machine.sh from a real,
/// networked first run in a throwaway container. Nothing else of that run reaches this one.
/// A collection of its own, run alone: it builds the host and boots qemu on 2 cores.
/// </summary>
[Tier(TestTier.Slow)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Collection(Name)]
public sealed partial class FreshMachineTests : IDisposable
{
    public const string Name = "fresh machine (runs alone)";
    private const string Question = "[Y/n]";
    private const string User = "builder";

    // Generous: a fresh first run here is ~5 min (host build, apt installs, TCG boot); this only
    // stops a hung run from holding CI, it is not a timing assertion.
    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(45);

    private readonly TempDir _dir = new("fresh");
    private readonly string _container = $"crossboard-fresh-test-{Guid.NewGuid():N}"[..40];
    private string _containersConf = "";
    private bool _started;

    public void Dispose()
    {
        if (_started)
        {
            // Removing the container ends everything in it, qemu included.
            ProcessRunner.Run(Podman("rm", "-f", "-t", "0", _container));
        }

        if (TestContext.Current.TestState?.Result == TestResult.Failed)
        {
            // The transcripts stay for the CI log's reader; the copy of the tree does not.
            try
            {
                Directory.Delete(_dir.Combine("src"), recursive: true);
            }
            catch (IOException)
            {
            }

            return;
        }

        _dir.Dispose();
    }

    [Theory]
    [InlineData("root")]
    [InlineData("user with sudo")]
    public void The_first_command_on_a_bare_Debian_12_asks_once_deploys_and_the_second_run_does_nothing(string who)
    {
        var asRoot = who == "root";
        var output = TestContext.Current.TestOutputHelper;
        var total = Stopwatch.StartNew();

        var engine = Script("podman-engine.sh");
        Assert.True(engine.Succeeded,
            $"No container engine (tests/setup/podman-engine.sh, exit code {engine.ExitCode}); this test needs one:\n{ProcessRunner.TailOf(engine.StandardError, 15)}");
        _containersConf = Value(engine, "CONTAINERS_CONF");
        var baseImage = Value(engine, "BASE_IMAGE");

        var setup = Script("fresh-machine.sh", "--status");
        Assert.True(setup.Succeeded, $"tests/setup/fresh-machine.sh --status failed ({setup.ExitCode}):\n{ProcessRunner.TailOf(setup.StandardError, 15)}");
        var log = Value(setup, "LOG");
        switch (Value(setup, "STATUS"))
        {
            case "failed":
                Assert.Fail($"Preparing the local mirror and NuGet feed failed (tests/setup/fresh-machine.sh): the networked first run that collects them did not succeed.\n" +
                            $"Its log: {log}\nLast lines:\n{(File.Exists(log) ? ProcessRunner.Tail(log, 40) : "(no log)")}");
                break;
            case not "ready":
                Assert.Fail("The local mirror and NuGet feed for this working tree are not there: run tests/setup/fresh-machine.sh first " +
                            "(tests/run.sh does; it needs network and changes of build/, recipes/, toolchains/ or samples/ need it again).");
                break;
        }

        var src = WorkingTree.CommitTo(_dir.Combine("src"));
        var home = asRoot ? "/root" : $"/home/{User}";

        var started = ProcessRunner.Run(Podman("run", "-d", "--name", _container, "--network=none",
            "-v", "/usr/share/dotnet:/usr/share/dotnet:ro",
            "-v", $"{Value(setup, "MIRROR")}:/mirror:ro",
            "-v", $"{Value(setup, "FEED")}:/nuget-feed:ro",
            "-v", $"{src}:/src:ro",
            baseImage, "sleep", "infinity"), TestContext.Current.CancellationToken);
        Assert.True(started.Succeeded, $"podman run failed ({started.ExitCode}): {started.StandardError}");
        _started = true;

        // The machine: Debian's minbase, the SDK where its packages put it, and the given set
        // from the mirror. Nothing else is installed; crossboard must ask for the rest.
        var prepared = Stopwatch.StartNew();
        string given = asRoot ? "libicu72 git ca-certificates" : "libicu72 git ca-certificates sudo";
        Exec("root", "/", $"""
            set -euo pipefail
            export DEBIAN_FRONTEND=noninteractive
            echo 'deb [trusted=yes] file:/mirror bookworm main' >/etc/apt/sources.list
            apt-get update -q
            apt-get install -y -q --no-install-recommends {given}
            ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
            """);
        if (!asRoot)
        {
            Exec("root", "/", $"""
                set -euo pipefail
                useradd --create-home --shell /bin/bash {User}
                echo '{User} ALL=(ALL) NOPASSWD: ALL' >/etc/sudoers.d/{User}
                chmod 0440 /etc/sudoers.d/{User}
                """);
        }

        // The user's NuGet.Config names the one source there is (as one would name an internal
        // feed); the clone is the user's own.
        Exec(asRoot ? "root" : User, home, """
            set -euo pipefail
            mkdir -p ~/.nuget/NuGet
            cat >~/.nuget/NuGet/NuGet.Config <<'EOF'
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="/nuget-feed" />
              </packageSources>
            </configuration>
            EOF
            # /src belongs to the host's root: git refuses another user's repository unless a
            # global config says it is safe. A config for this one command, leaving none behind.
            printf '[safe]\n\tdirectory = /src\n\tdirectory = /src/.git\n' >/tmp/clone.gitconfig
            GIT_CONFIG_GLOBAL=/tmp/clone.gitconfig git clone -q /src ~/crossboard
            rm /tmp/clone.gitconfig
            """);
        output?.WriteLine($"{who}: the bare machine prepared in {prepared.Elapsed.TotalSeconds:0} s");

        var first = OnTerminal(asRoot ? "root" : User, $"{home}/crossboard", "./build.sh --target=Deploy", "first-run");
        output?.WriteLine($"{who}: first run exited {first.ExitCode} after {first.Elapsed.TotalSeconds:0} s, {first.Answered} question(s) answered; transcript: {first.Transcript}");
        var second = OnTerminal(asRoot ? "root" : User, $"{home}/crossboard", "./build.sh --target=Deploy", "second-run");
        output?.WriteLine($"{who}: second run exited {second.ExitCode} after {second.Elapsed.TotalSeconds:0} s; transcript: {second.Transcript}");
        output?.WriteLine($"{who}: {total.Elapsed.TotalSeconds:0} s in all");

        // Every broken promise at once, then each run's tail once: a CI log that explains itself.
        var broken = new List<(string What, TerminalRun Run)>();
        void Expect(bool kept, TerminalRun run, string what)
        {
            if (!kept)
            {
                broken.Add((what, run));
            }
        }

        var firstQuestions = Questions(first.Text);
        var secondQuestions = Questions(second.Text);
        Expect(first.ExitCode == 0, first, $"the first run exited {first.ExitCode}{(first.TimedOut ? " (stopped: it ran past the limit)" : "")}");
        Expect(firstQuestions.Count == 1, first, $"the first run asked {Asked(firstQuestions)}, not exactly one{Listed(firstQuestions)}");
        Expect(first.Text.Contains("Smoke check passed"), first, "the first run did not end with \"Smoke check passed\"");
        Expect(second.ExitCode == 0, second, $"the second run exited {second.ExitCode}{(second.TimedOut ? " (stopped: it ran past the limit)" : "")}");
        Expect(secondQuestions.Count == 0, second, $"the second run asked {Asked(secondQuestions)}, not none{Listed(secondQuestions)}");
        Expect(second.Text.Contains("nothing transferred"), second, "the second run did not say \"nothing transferred\"");
        if (broken.Count > 0)
        {
            var message = new StringBuilder($"On a bare Debian 12 as {who}:\n");
            foreach (var (what, _) in broken)
            {
                message.AppendLine($"- {what}");
            }

            foreach (var (run, label) in new[] { (first, "First run"), (second, "Second run") }.Where(r => broken.Any(b => b.Run == r.Item1)))
            {
                message.AppendLine().AppendLine($"{label} (exit code {run.ExitCode}; full transcript: {run.Transcript}), last lines:")
                    .AppendLine(ProcessRunner.TailOf(run.Text, 40));
            }

            Assert.Fail(message.ToString());
        }
    }

    private static string Asked(List<string> questions) => questions.Count == 1 ? "1 question" : $"{questions.Count} questions";

    private static string Listed(List<string> questions) => string.Concat(questions.Select(q => "\n    " + q));

    private sealed record TerminalRun(int ExitCode, bool TimedOut, string Text, int Answered, string Transcript, TimeSpan Elapsed);

    /// <summary>
    /// Runs <paramref name="command"/> in the container on a pseudo-terminal (`script`, from
    /// minbase's bsdutils), as a user at a terminal would: what it prints is read as it comes,
    /// and each question (a line with [Y/n]) is answered `y` and Enter. The raw transcript is
    /// saved under the test's folder.
    /// </summary>
    private TerminalRun OnTerminal(string user, string workDir, string command, string name)
    {
        var transcript = _dir.Combine($"{name}.transcript");
        var info = new ProcessStartInfo("podman")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["exec", "-i", "--user", user, "--workdir", workDir, _container, "script", "-qfec", command, "/dev/null"])
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["CONTAINERS_CONF"] = _containersConf;
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        using var file = new FileStream(transcript, FileMode.Create, FileAccess.Write, FileShare.Read);
        var errors = process.StandardError.ReadToEndAsync();
        var raw = new StringBuilder();
        var decoder = Encoding.UTF8.GetDecoder();
        var bytes = new byte[8192];
        var chars = new char[Encoding.UTF8.GetMaxCharCount(bytes.Length)];
        var answered = 0;
        var timedOut = false;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(RunLimit);
        while (true)
        {
            int read;
            try
            {
                read = process.StandardOutput.BaseStream.ReadAsync(bytes, limit.Token).AsTask().GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                timedOut = true;
                process.Kill(entireProcessTree: true);
                break;
            }

            if (read == 0)
            {
                break;
            }

            file.Write(bytes, 0, read);
            file.Flush();
            raw.Append(chars, 0, decoder.GetChars(bytes, 0, read, chars, 0));

            // A question is answered when it appears: the prompt waits on the same line.
            var asked = Questions(Plain(raw.ToString())).Count;
            for (; answered < asked; answered++)
            {
                process.StandardInput.Write("y\n");
                process.StandardInput.Flush();
            }
        }

        process.WaitForExit();
        var stderr = errors.GetAwaiter().GetResult();
        if (stderr.Length > 0)
        {
            File.AppendAllText(transcript, $"\n[podman exec's stderr]\n{stderr}");
        }

        return new TerminalRun(process.ExitCode, timedOut, Plain(raw.ToString()) + stderr, answered, transcript, watch.Elapsed);
    }

    /// <summary>The lines that ask a question (the contract: a line containing [Y/n]).</summary>
    private static List<string> Questions(string text) =>
        text.Split('\n').Where(l => l.Contains(Question, StringComparison.Ordinal)).Select(l => l.Trim()).ToList();

    /// <summary>What a reader sees: without the terminal's colour and cursor sequences and carriage returns.</summary>
    private static string Plain(string terminal) => Escapes().Replace(terminal, "").Replace("\r", "");

    [GeneratedRegex(@"\x1B\[[0-?]*[ -/]*[@-~]|\x1B\][^\x07\x1B]*(?:\x07|\x1B\\)|\x1B[@-Z\\-_]")]
    private static partial Regex Escapes();

    /// <summary>A preparation step as <paramref name="user"/>; its failure is the harness's, with its output.</summary>
    private void Exec(string user, string workDir, string script)
    {
        var result = ProcessRunner.Run(Podman("exec", "--user", user, "--workdir", workDir, _container, "bash", "-c", script));
        Assert.True(result.Succeeded, $"Preparing the bare machine failed ({result.ExitCode}) at:\n{script}\n" +
                                      ProcessRunner.TailOf(result.StandardOutput + result.StandardError, 30));
    }

    private ProcessSpec Podman(params string[] args) => new("podman", args)
    {
        Timeout = TimeSpan.FromMinutes(15),
        Environment = { ["CONTAINERS_CONF"] = _containersConf },
    };

    private static ProcessResult Script(string name, params string[] args) =>
        ProcessRunner.Run(new ProcessSpec("bash", [Path.Combine(RepoPaths.Root, "tests", "setup", name), .. args]) { Timeout = TimeSpan.FromMinutes(15) });

    private static string Value(ProcessResult result, string key) =>
        result.StandardOutput.Split('\n').Where(l => l.StartsWith(key + "=", StringComparison.Ordinal))
            .Select(l => l[(key.Length + 1)..].Trim()).LastOrDefault() ?? "";
}

[CollectionDefinition(FreshMachineTests.Name, DisableParallelization = true)]
public sealed class FreshMachineCollection;
