using Cake.Frosting;
using Crossboard;
using Crossboard.Machine;
using Crossboard.FastPath;
using Crossboard.Recipes;
using Crossboard.Switches;

// The fast path (FastPath/, off with --fast-path=false) starts two things with the process.
var commandLine = CommandLineValues.Parse(args);
if (FastPathSwitch.Read(commandLine))
{
    // The device the last identical command line deployed to is connected to in the background
    // (see SpeculativeConnection); the deploy adopts the connection if it is the same.
    SpeculativeConnection.Start(args, commandLine, Environment.CurrentDirectory);

    // Every run but --help needs the recipes: read them while the Cake host starts (BuildLifetime takes them).
    try
    {
        var root = CrossboardPaths.RepoRoot();
        RecipeCatalog.Preload(Path.Combine(root, "recipes"), Path.Combine(root, "toolchains"));
    }
    catch (CrossboardException)
    {
        // No repository found: BuildContext says so where it always did.
    }
}

return new CakeHost()
    .UseContext<BuildContext>()
    .UseLifetime<BuildLifetime>()
    .UseTaskLifetime<Crossboard.Tasks.EarlyWork>()
    // The emulated device's tasks run beside the build's (RunInBackground): speed machinery, off with either switch.
    .UseBackgroundTasks<BuildContext>(context => context.Switches.Overlap && FastPathSwitch.Enabled)
    .UseHelpText(Crossboard.Switches.SwitchTable.HelpText)
    .UseBuildSystemIssues(CiReport.Issues)
    .UseBuildSystemSummary<BuildContext>(CiReport.Summary)
    .UseExitCodes(ExitCodes.For)
    .Run(args);
