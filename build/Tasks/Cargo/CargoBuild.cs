using Cake.Frosting;
using Crossboard.Cargo;

namespace Crossboard.Tasks;

[TaskName(nameof(CargoBuild))]
[IsDependentOn(typeof(ConfigureCargo))]
[TaskDescription("Cross-builds the app for the board (cargo build --release --target ...) and checks the binary fits it: arch, ISA, float ABI, libc, size.")]
public sealed class CargoBuild : FrostingTask<BuildContext>
{
    public override bool ShouldRun(BuildContext context) => BuildChain.Needed(context, nameof(CargoBuild));

    public override void Run(BuildContext context)
    {
        var options = new CargoBuildOptions(context.Switches.SizeProfile, context.Switches.Rust, context.Switches.Bin);
        context.Artifact = new CargoStage(context.CommandRunner, ConfigureCargo.Packages(context), context.BuildLog)
            .Build(ConfigureCargo.Inputs(context), options);
    }
}
