using Cake.Frosting;
using Crossboard.Cargo;
using Crossboard.FastPath;
using Crossboard.Machine;

namespace Crossboard.Tasks;

[TaskName(nameof(ConfigureCargo))]
[IsDependentOn(typeof(BuildToolchain))]
[TaskDescription("Writes the board's [target.<triple>] (linker, rustflags, runner) into the app's .cargo/config.toml, keeping the rest; provides the C libraries the app's Cargo.toml declares for the target first.")]
public sealed class ConfigureCargo : FrostingTask<BuildContext>
{
    public override bool ShouldRun(BuildContext context) => BuildChain.Needed(context, nameof(ConfigureCargo));

    public override void Run(BuildContext context) => CargoTasks.Stage(context).Configure(CargoTasks.Inputs(context));
}
