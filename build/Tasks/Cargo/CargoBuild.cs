using Cake.Frosting;
using Crossboard.Cargo;

namespace Crossboard.Tasks;

[TaskName(nameof(CargoBuild))]
[IsDependentOn(typeof(ConfigureCargo))]
[TaskDescription("Cross-builds the app for the board (cargo build --release --target ...) and checks the binary fits it: arch, ISA, float ABI, libc, size.")]
public sealed class CargoBuild : FrostingTask<BuildContext>
{
    public override bool ShouldRun(BuildContext context) => BuildChain.Needed(context, nameof(CargoBuild));

    public override void Run(BuildContext context) =>
        context.Stages.Artifact = CargoTasks.Stage(context).Build(CargoTasks.Inputs(context), CargoTasks.Options(context));
}
