using Cake.Frosting;
using Crossboard.Cargo;
using Crossboard.FastPath;
using Crossboard.Machine;

namespace Crossboard.Tasks;

[TaskName(nameof(ConfigureCargo))]
[IsDependentOn(typeof(BuildToolchain))]
[TaskDescription("Writes the board's [target.<triple>] (linker, rustflags, runner) into the app's .cargo/config.toml, keeping the rest.")]
public sealed class ConfigureCargo : FrostingTask<BuildContext>
{
    public override bool ShouldRun(BuildContext context) => BuildChain.Needed(context, nameof(ConfigureCargo));

    public override void Run(BuildContext context)
    {
        new CargoStage(context.CommandRunner, Packages(context), context.BuildLog).Configure(Inputs(context));
    }

    internal static CargoStageInputs Inputs(BuildContext context) => new(
        context.Switches.App, context.Switches.WorkDir, context.Board, context.Toolchain, context.ResolvedToolchain, context.RustTarget);

    internal static DebianPackages Packages(BuildContext context) =>
        new(context.Consent, context.BuildLog.Information) { Probes = ProbeCache.For(context.CommandRunner, context.Switches.WorkDir) };
}
