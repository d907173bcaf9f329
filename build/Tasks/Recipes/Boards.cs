using Cake.Core.Diagnostics;
using Cake.Frosting;
using Crossboard.Machine;

namespace Crossboard.Tasks;

[TaskName(nameof(Boards))]
[TaskDescription("Lists the boards: CPU, RAM/flash, Rust target and default toolchain.")]
public sealed class Boards : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context)
    {
        var table = new TextTable("board", "cpu", "arch", "ram/flash", "rust target", "default toolchain", "description");
        foreach (var board in context.Catalog.Boards.OrderBy(b => b.Name, StringComparer.Ordinal))
        {
            var toolchain = context.Catalog.GetToolchain(board.Toolchain.Default);
            table.Add(
                board.Name + (board.Name == Switches.BuildSwitches.DefaultBoard ? " *" : ""),
                board.Cpu.Core,
                board.Openwrt?.Arch ?? board.Cpu.Arch,
                $"{board.Memory.RamMb} MB / {(board.Memory.FlashMb > 0 ? board.Memory.FlashMb + " MB" : board.Memory.Storage)}",
                Recipes.RecipeCatalog.RustTargetFor(board, toolchain),
                toolchain.Name,
                board.Description);
        }

        context.Log.Information(table.ToString());
        context.Log.Information("* the default board (--board=NAME picks another)");
    }
}
