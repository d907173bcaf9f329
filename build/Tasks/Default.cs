using Cake.Frosting;

namespace Crossboard.Tasks;

/// <summary>`./build.sh` with no target: the whole pipeline, as the quick start runs it.</summary>
[TaskName(nameof(Default))]
[IsDependentOn(typeof(Deploy))]
[TaskDescription("The whole pipeline: Deploy (toolchain, build, checks, deploy, smoke check).")]
public sealed class Default : FrostingTask<BuildContext>
{
}
