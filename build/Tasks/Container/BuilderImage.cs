using Cake.Core.Diagnostics;
using Cake.Docker;
using Cake.Frosting;
using Crossboard.Container;

namespace Crossboard.Tasks;

[TaskName(nameof(BuilderImage))]
[TaskDescription("With --docker: builds the builder container image (docker/builder), tagged by a hash of its definition; rebuilt only when that changes.")]
public sealed class BuilderImage : FrostingTask<BuildContext>
{
    public override bool ShouldRun(BuildContext context)
    {
        if (!BuildChain.Needed(context, nameof(BuilderImage)))
        {
            return false;
        }

        if (!context.Switches.Docker)
        {
            context.Log.Information("BuilderImage skipped: the builder image is for --docker runs; add --docker to build it (e.g. --target=BuilderImage --docker).");
        }

        return context.Switches.Docker;
    }

    public override void Run(BuildContext context)
    {
        var result = BuilderImageService.Ensure(context.Docker, context.BuilderImageDefinition, context.Switches.WorkDir, context.BuildLog);
        context.Stages.BuilderImageTag = result.Tag;
    }
}
