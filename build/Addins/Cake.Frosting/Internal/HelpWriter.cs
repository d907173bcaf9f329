using Cake.Core;

namespace Cake.Frosting.Internal;

/// <summary>--help: the host's switches, the build's own text, and every task with its description.</summary>
internal sealed class HelpWriter(IConsole console)
{
    public void Write(IEnumerable<Type> tasks, string? buildHelp)
    {
        console.WriteLine("Usage: build [--target=<TASK>] [switches] [--<name>=<value> ...]");
        console.WriteLine("");
        console.WriteLine("Switches:");
        Row("--target, -t <TASK>", "Task to run (default: Default); repeat for several.");
        Row("--verbosity, -v <LEVEL>", "quiet, minimal, normal, verbose or diagnostic.");
        Row("--dryrun, --whatif, --noop", "Show which tasks would run, run none.");
        Row("--exclusive, -e", "Run the target without its dependencies.");
        Row("--tree", "Show the task dependency tree.");
        Row("--description", "Show every task's description.");
        Row("--working, -w <DIR>", "Working directory.");
        Row("--version", "Print the build's version.");
        Row("--help, -h", "This text.");
        if (!string.IsNullOrWhiteSpace(buildHelp))
        {
            console.WriteLine("");
            console.WriteLine(buildHelp.TrimEnd());
        }

        console.WriteLine("");
        console.WriteLine("Tasks:");
        foreach (var task in tasks.OrderBy(t => t.GetTaskName(), StringComparer.OrdinalIgnoreCase))
        {
            var description = task.GetCustomAttributes(typeof(TaskDescriptionAttribute), false) is [TaskDescriptionAttribute d, ..]
                ? d.Description
                : string.Empty;
            Row(task.GetTaskName(), description);
        }
    }

    private void Row(string name, string description) => console.WriteLine($"  {name,-30} {description}");
}
