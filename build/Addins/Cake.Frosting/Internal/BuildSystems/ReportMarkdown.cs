using System.Globalization;
using System.Text;
using Cake.Core;

namespace Cake.Frosting.Internal;

/// <summary>Cake's task report (what <see cref="CakeReportPrinter"/> prints) as a Markdown table, for a CI's summary page.</summary>
internal static class ReportMarkdown
{
    public static string Write(CakeReport report)
    {
        var text = new StringBuilder();
        text.AppendLine("| Task | Duration | Status |");
        text.AppendLine("|---|---|---|");
        var total = TimeSpan.Zero;
        foreach (var entry in report)
        {
            total += entry.Duration;
            if (entry.ExecutionStatus == CakeTaskExecutionStatus.Delegated)
            {
                continue; // as Cake's printer below verbose: a task without actions of its own
            }

            var skipped = entry.ExecutionStatus == CakeTaskExecutionStatus.Skipped;
            var status = entry.ExecutionStatus.ToReportStatus();
            if (skipped && !string.IsNullOrWhiteSpace(entry.SkippedMessage))
            {
                status += ": " + entry.SkippedMessage;
            }

            text.AppendLine($"| {Cell(entry.TaskName)} | {(skipped ? "-" : Time(entry.Duration))} | {Cell(status)} |");
        }

        text.AppendLine($"| **Total** | {Time(total)} | |");
        return text.ToString();
    }

    internal static string Cell(string text) => text.Replace("|", "\\|").ReplaceLineEndings(" ").Trim();

    private static string Time(TimeSpan time) => time.ToString("c", CultureInfo.InvariantCulture);
}
