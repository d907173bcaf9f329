using Cake.Core.Diagnostics;
using Cake.Frosting;
using Crossboard.Machine;

namespace Crossboard.Tasks;

[TaskName(nameof(Doctor))]
[TaskDescription("Checks the host has what the board and toolchain need; prints how to install what is missing.")]
public sealed class Doctor : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context)
    {
        var checks = HostPrerequisites.For(new HostNeedsQuery(context.Board, context.Toolchain, context.RustTarget,
                Emulator: BuildLifetime.EmulatedDevice(context), Docker: context.Switches.Docker, DockerCli: context.Switches.DockerCli,
                Rust: context.Switches.Rust, WorkDir: context.Switches.WorkDir))
            .Select(p => (Prerequisite: p, Present: p.IsPresent()))
            .ToList();

        var table = new TextTable("", "prerequisite", "task", "for");
        foreach (var (p, present) in checks)
        {
            table.Add(present ? "ok" : "MISSING", p.Name, string.Join(", ", p.Tasks), p.Purpose);
        }

        context.Log.Information("Board {0} with toolchain {1} (Rust target {2}):", context.Board.Name, context.Toolchain.Name, context.RustTarget);
        context.Log.Information(table.ToString());

        var missing = checks.Where(c => !c.Present).Select(c => c.Prerequisite).ToList();
        if (missing.Count > 0)
        {
            throw new CrossboardException(
                $"{missing.Count} prerequisite(s) missing: {string.Join(", ", missing.Select(m => m.Name))}." + Environment.NewLine +
                InstallInstructions.For(missing));
        }

        context.Log.Information("Everything the board needs is here.");
    }
}
