using Crossboard.Cargo;
using Crossboard.FastPath;
using Crossboard.Machine;

namespace Crossboard.Tasks;

/// <summary>What the cargo stage's tasks share: its service and inputs, made from the context.</summary>
internal static class CargoTasks
{
    public static CargoStage Stage(BuildContext context)
    {
        if (context.Switches.Docker && context.Switches.CargoConfig is { } config && Path.GetDirectoryName(config) is { } folder &&
            !context.ExtraContainerMounts.Contains(folder))
        {
            // The builder container sees the file where it is here.
            context.ExtraContainerMounts.Add(folder);
        }

        return new(context.CommandRunner, new DebianPackages(context.Consent, context.BuildLog.Information)
        {
            Probes = ProbeCache.For(context.CommandRunner, context.Switches.WorkDir),
        }, context.BuildLog);
    }

    public static CargoStageInputs Inputs(BuildContext context) => new(
        context.Switches.App, context.Switches.WorkDir, context.Board, context.Toolchain, context.Stages.ResolvedToolchain, context.RustTarget);

    public static CargoBuildOptions Options(BuildContext context) =>
        new(context.Switches.SizeProfile, context.Switches.Rust, context.Switches.Bin, context.Switches.CompileCache, context.Switches.CargoConfig);
}
