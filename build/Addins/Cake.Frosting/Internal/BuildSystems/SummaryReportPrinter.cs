using Cake.Core;
using Cake.Core.Diagnostics;

namespace Cake.Frosting.Internal;

/// <summary>
/// Cake's report printer, and then the same report, with what the build adds to it, on the CI's
/// summary page. Cake's host hands the printer the report when the run ends, failed or not.
/// </summary>
internal sealed class SummaryReportPrinter(ICakeReportPrinter printer, BuildSystemOutput output, Func<string?> buildSummary, ICakeLog log) : ICakeReportPrinter
{
    public void Write(CakeReport report)
    {
        printer.Write(report);
        var markdown = "### Tasks" + Environment.NewLine + Environment.NewLine + ReportMarkdown.Write(report);
        if (buildSummary() is { Length: > 0 } extra)
        {
            markdown += Environment.NewLine + extra.TrimEnd() + Environment.NewLine;
        }

        try
        {
            output.Summary(markdown);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CakeException)
        {
            // The summary page is a courtesy: a run that did its work does not fail for it.
            log.Warning("The CI summary could not be written: {0}", ex.Message);
        }
    }

    public void WriteLifeCycleStep(string name, Verbosity verbosity) => printer.WriteLifeCycleStep(name, verbosity);

    public void WriteStep(string name, Verbosity verbosity) => printer.WriteStep(name, verbosity);

    public void WriteSkippedStep(string name, Verbosity verbosity) => printer.WriteSkippedStep(name, verbosity);
}
