using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Crossboard.Machine;

/// <summary>What to run: a program and its arguments (never a shell string), where, with what environment.</summary>
public sealed class ProcessSpec(string fileName, params string[] arguments)
{
    public string FileName { get; } = fileName;
    public List<string> Arguments { get; } = arguments.ToList();
    public string? WorkingDirectory { get; init; }
    /// <summary>Variables to set (or, with a null value, to remove) on top of the current environment.</summary>
    public Dictionary<string, string?> Environment { get; init; } = new();
    /// <summary>Every output line (stdout and stderr) is appended here, for the user to read after a failure.</summary>
    public string? LogFile { get; init; }
    /// <summary>Called with each output line as it arrives (live progress, streaming).</summary>
    public Action<string>? OnLine { get; init; }
    /// <summary>Written to the process's standard input, which is then closed.</summary>
    public string? StandardInput { get; init; }
    public TimeSpan? Timeout { get; init; }

    /// <summary>The command as a user would type it (for messages; arguments quoted where needed).</summary>
    public override string ToString() => string.Join(' ', new[] { FileName }.Concat(Arguments).Select(ShellQuote));

    /// <summary>
    /// The command with its folder and environment changes, as a line a user can paste into a
    /// shell to rerun it by hand (what the log files start with).
    /// </summary>
    public string ToShellLine()
    {
        // Plain loops and ordinal order: this runs for every logged command (cargo's, each run),
        // and LINQ over a tuple key plus a culture comparison cost milliseconds of first use.
        var line = new StringBuilder();
        if (WorkingDirectory is { Length: > 0 } dir)
        {
            line.Append("cd ").Append(ShellQuote(dir)).Append(" && ");
        }

        if (Environment.Count > 0)
        {
            var removed = new List<string>();
            var set = new List<string>();
            foreach (var (key, value) in Environment)
            {
                (value is null ? removed : set).Add(key);
            }

            removed.Sort(StringComparer.Ordinal);
            set.Sort(StringComparer.Ordinal);
            line.Append("env ");
            // env takes its -u options before the first assignment.
            foreach (var key in removed)
            {
                line.Append("-u ").Append(ShellQuote(key)).Append(' ');
            }

            foreach (var key in set)
            {
                line.Append(ShellQuote(key + "=" + Environment[key])).Append(' ');
            }
        }

        return line.Append(this).ToString();
    }

    public static string ShellQuote(string s) =>
        s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,+@%".Contains(c)) ? s : "'" + s.Replace("'", "'\\''") + "'";
}

public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError, TimeSpan Elapsed)
{
    public bool Succeeded => ExitCode == 0;
}

/// <summary>
/// Runs programs for every stage: arguments passed as a list (no shell), output streamed line by
/// line to a callback and a log file, and failures turned into messages that name the command,
/// show the output's tail and point at the log.
/// </summary>
public static class ProcessRunner
{
    public static ProcessResult Run(ProcessSpec spec, CancellationToken cancellation = default) =>
        RunAsync(spec, cancellation).GetAwaiter().GetResult();

    /// <summary>Runs and throws a <see cref="CrossboardException"/> when the exit code is not 0.</summary>
    public static ProcessResult RunChecked(ProcessSpec spec, string whatFailed, CancellationToken cancellation = default)
    {
        var result = Run(spec, cancellation);
        if (!result.Succeeded)
        {
            throw Failure(spec, result, whatFailed);
        }

        return result;
    }

    public static CrossboardException Failure(ProcessSpec spec, ProcessResult result, string whatFailed)
    {
        var tail = spec.LogFile is not null && File.Exists(spec.LogFile)
            ? Tail(spec.LogFile, 25)
            : TailOf(result.StandardError.Length > 0 ? result.StandardError : result.StandardOutput, 25);
        var message = new StringBuilder()
            .AppendLine($"{whatFailed} (exit code {result.ExitCode}).")
            .AppendLine($"Command: {spec}");
        if (tail.Length > 0)
        {
            message.AppendLine("Last lines of its output:").AppendLine(Indent(tail));
        }

        return new CrossboardException(message.ToString().TrimEnd(), spec.LogFile);
    }

    public static async Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellation = default)
    {
        var info = new ProcessStartInfo(spec.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = spec.WorkingDirectory ?? "",
        };
        foreach (var argument in spec.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in spec.Environment)
        {
            if (value is null)
            {
                info.Environment.Remove(key);
            }
            else
            {
                info.Environment[key] = value;
            }
        }

        StreamWriter? log = null;
        if (spec.LogFile is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(spec.LogFile))!);
            log = new StreamWriter(spec.LogFile, append: true) { AutoFlush = true };
            await log.WriteLineAsync($"$ {spec.ToShellLine()}");
        }

        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var gate = new object();
        void OnLine(StringBuilder into, string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (gate)
            {
                into.AppendLine(line);
                log?.WriteLine(line);
                spec.OnLine?.Invoke(line);
            }
        }

        var watch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => OnLine(stdout, e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(stderr, e.Data);
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            log?.Dispose();
            throw new CrossboardException(
                $"Cannot run '{spec.FileName}': {ex.Message}. Is it installed and on PATH? (--target=Doctor lists what is missing and how to install it.)");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (spec.StandardInput is not null)
        {
            await process.StandardInput.WriteAsync(spec.StandardInput);
        }

        process.StandardInput.Close();

        using var timeout = spec.Timeout is { } t ? new CancellationTokenSource(t) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, timeout.Token);
        try
        {
            await process.WaitForExitAsync(linked.Token);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            await process.WaitForExitAsync(CancellationToken.None);
            log?.Dispose();
            if (timeout.IsCancellationRequested && !cancellation.IsCancellationRequested)
            {
                throw new CrossboardException($"'{spec}' did not finish within {spec.Timeout!.Value.TotalSeconds:0} s and was stopped.", spec.LogFile);
            }

            throw;
        }

        // WaitForExit(CancellationToken) does not wait for the redirected streams to drain.
        process.WaitForExit();
        log?.Dispose();
        return new ProcessResult(process.ExitCode, stdout.ToString(), stderr.ToString(), watch.Elapsed);
    }

    /// <summary>The full path of <paramref name="command"/> on PATH, or null.</summary>
    public static string? Which(string command)
    {
        if (command.Contains('/'))
        {
            return File.Exists(command) ? command : null;
        }

        return (System.Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, command))
            .FirstOrDefault(File.Exists);
    }

    /// <summary>The last <paramref name="lines"/> lines of a file (read from its end: logs can be large).</summary>
    public static string Tail(string path, int lines)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var start = Math.Max(0, stream.Length - 64 * 1024);
        stream.Seek(start, SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        return TailOf(reader.ReadToEnd(), lines);
    }

    public static string TailOf(string text, int lines)
    {
        var all = text.TrimEnd().Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines))).TrimEnd();
    }

    private static string Indent(string text) => string.Join('\n', text.Split('\n').Select(l => "  " + l));
}
