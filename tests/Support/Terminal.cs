using System.Diagnostics;
using System.Text;

namespace Crossboard.Tests.Support;

/// <summary>
/// Runs a command on a pseudo-terminal (util-linux `script`), as a user at a terminal would:
/// both its input and output are a tty, so crossboard may ask. Each time a question (a line
/// with "[Y/n]") appears, the next of the given answers is typed; the transcript keeps
/// everything, and how many questions were asked.
/// </summary>
public static class Terminal
{
    public const string QuestionMark = "[Y/n]";

    public sealed record Transcript(int ExitCode, string Output, int Questions);

    public static Transcript Run(string commandLine, IReadOnlyList<string> answers, IDictionary<string, string?>? environment = null,
        string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo("script", ["-qfec", commandLine, "/dev/null"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepoPaths.Root,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
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

        using var process = Process.Start(info)!;
        var output = new StringBuilder();
        var questions = 0;
        var seen = 0;
        var buffer = new char[4096];
        var reader = Task.Run(async () =>
        {
            int read;
            while ((read = await process.StandardOutput.ReadAsync(buffer)) > 0)
            {
                lock (output)
                {
                    output.Append(buffer, 0, read);
                    var text = output.ToString();
                    int at;
                    while ((at = text.IndexOf(QuestionMark, seen, StringComparison.Ordinal)) >= 0)
                    {
                        seen = at + QuestionMark.Length;
                        var answer = questions < answers.Count ? answers[questions] : "";
                        questions++;
                        // Typed after the question is on screen, as a person would.
                        process.StandardInput.Write(answer + "\n");
                        process.StandardInput.Flush();
                    }
                }
            }
        });
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            reader.Wait(TimeSpan.FromSeconds(5));
            throw new TimeoutException($"'{commandLine}' did not finish; its output so far:\n{output}");
        }

        reader.Wait(TimeSpan.FromSeconds(30));
        lock (output)
        {
            return new Transcript(process.ExitCode, output + errors.Result, questions);
        }
    }
}
