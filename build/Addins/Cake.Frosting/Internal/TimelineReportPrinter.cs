using Cake.Core;
using Cake.Core.Diagnostics;

namespace Cake.Frosting.Internal;

/// <summary>
/// Cake's task report, and after a run where tasks ran side by side, when each ran: Cake's table
/// gives each task's own duration and its "Total:" their sum, which is more than the run took
/// when tasks overlapped; the lines below say which ran beside which, and the run's wall time.
/// </summary>
internal sealed class TimelineReportPrinter(ICakeReportPrinter printer, IConsole console, FrostingEngine engine) : ICakeReportPrinter
{
    public void Write(CakeReport report)
    {
        printer.Write(report);
        if (engine.LastRun is not { } run || run.Entries.Where(e => e.Background && e.Outcome != Outcome.Skipped).ToList() is not { Count: > 0 })
        {
            return;
        }

        var ran = run.Entries.Where(e => e.Ended is not null && e.Outcome != Outcome.Skipped).OrderBy(e => e.Started).ToList();
        var width = Math.Max(30, ran.Max(e => e.Task.Length) + 1);
        try
        {
            console.ForegroundColor = ConsoleColor.Green;
            console.WriteLine("{0}", string.Empty);
            console.WriteLine("{0}", "Tasks ran side by side (started - ended, time of day):");
            foreach (var entry in ran)
            {
                var beside = ran.Where(o => o != entry && o.Started < entry.Ended && entry.Started < o.Ended).Select(o => o.Task).ToList();
                console.WriteLine("{0}", $"{entry.Task.PadRight(width)}{entry.Started:HH:mm:ss.fff} - {entry.Ended:HH:mm:ss.fff}" +
                    (entry.Background ? "  in the background" : "") +
                    (entry.Background && beside.Count > 0 ? ", beside " + string.Join(", ", beside) : ""));
            }

            var wall = (run.Ended ?? DateTimeOffset.Now) - run.Started;
            console.WriteLine("{0}", $"{"Wall time:".PadRight(width)}{wall:hh\\:mm\\:ss\\.fffffff} (Total above adds up the tasks' own durations)");
        }
        finally
        {
            console.ResetColor();
        }
    }

    public void WriteLifeCycleStep(string name, Verbosity verbosity) => printer.WriteLifeCycleStep(name, verbosity);

    public void WriteStep(string name, Verbosity verbosity) => printer.WriteStep(name, verbosity);

    public void WriteSkippedStep(string name, Verbosity verbosity) => printer.WriteSkippedStep(name, verbosity);
}
