using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Crossboard.Machine;
using Crossboard.Recipes;

namespace Crossboard.Sdk;

/// <summary>What SeedConfig did: the .config it left and whether it could skip make defconfig.</summary>
public sealed record SeedResult(string ConfigPath, IReadOnlyList<string> Seed, bool Skipped);

/// <summary>
/// Writes the board's seed (target, subtarget, device or profile, extra symbols) as .config, runs
/// `make defconfig`, and checks that every seed line survived. OpenWrt's defconfig exits 0 while
/// silently replacing a symbol it does not know (a misspelt device becomes the subtarget's first
/// device), so a lost line is an error naming it, with the valid names read from the tree. A
/// failed seed leaves the previous .config in place. Skips when the seed and the commit are the
/// ones it last verified and .config is unchanged since.
/// </summary>
public sealed class ConfigSeeder(ICommandRunner runner, IBuildLog log)
{
    private const string SeedStateFile = "seed";

    /// <summary>The seed lines for a board and an openwrt-source toolchain, in the order they are written.</summary>
    public static IReadOnlyList<string> SeedLines(Board board, ToolchainDefinition toolchain)
    {
        var openwrt = board.Openwrt
            ?? throw new CrossboardException($"{board.SourceFile}: board {board.Name} has no [openwrt] table, which toolchain {toolchain.Name} needs (target, subtarget, device or profile).");
        var prefix = $"CONFIG_TARGET_{openwrt.Target}_{openwrt.Subtarget}";
        var lines = new List<string>
        {
            $"CONFIG_TARGET_{openwrt.Target}=y",
            $"{prefix}=y",
            openwrt.Device.Length > 0 ? $"{prefix}_DEVICE_{openwrt.Device}=y" : $"{prefix}_{openwrt.Profile}=y",
        };
        foreach (var (line, file) in openwrt.Config.Select(l => (l, board.SourceFile))
                     .Concat((toolchain.Source?.Config ?? []).Select(l => (l, toolchain.SourceFile))))
        {
            var trimmed = line.Trim();
            if (!DotConfig.TryParse(trimmed, out _, out _))
            {
                throw new CrossboardException(
                    $"{SourcePosition.Of(file, Regex.Escape(line))}: '{line}' is not a .config line. Write \"CONFIG_X=y\", \"CONFIG_X=\\\"text\\\"\" or \"# CONFIG_X is not set\".");
            }

            if (!lines.Contains(trimmed))
            {
                lines.Add(trimmed);
            }
        }

        return lines;
    }

    public SeedResult Seed(SdkWorkspace workspace, Board board, ToolchainDefinition toolchain, string commit, CancellationToken cancellation = default)
    {
        var layout = workspace.Layout;
        var seed = SeedLines(board, toolchain);
        var seedText = string.Join('\n', seed) + '\n';
        var statePath = Path.Combine(layout.StateDir, SeedStateFile);
        var wanted = $"{Sha256(seedText)} {commit}";
        if (File.Exists(layout.DotConfig) && File.Exists(statePath))
        {
            var state = File.ReadAllText(statePath).Split('\n');
            if (state.Length >= 2 && state[0] == wanted && state[1] == Sha256(File.ReadAllText(layout.DotConfig)))
            {
                log.Information($"The .config for board {board.Name} is already seeded and verified at this commit; nothing to do.");
                return new SeedResult(layout.DotConfig, seed, Skipped: true);
            }
        }

        Directory.CreateDirectory(layout.StateDir);
        var backup = Path.Combine(layout.StateDir, "config.before-seed");
        var hadConfig = File.Exists(layout.DotConfig);
        if (hadConfig)
        {
            File.Copy(layout.DotConfig, backup, overwrite: true);
        }

        var previousState = File.Exists(statePath) ? File.ReadAllText(statePath) : null;
        File.Delete(statePath);
        var logFile = layout.Log("defconfig");
        File.Delete(logFile);
        try
        {
            File.WriteAllText(layout.DotConfig, seedText);
            log.Information($"Seeding .config for board {board.Name} ({seed.Count} lines) and running make defconfig (log: {logFile})");
            var defconfig = new ProcessSpec("make", "defconfig") { WorkingDirectory = layout.TreeDir, LogFile = logFile };
            var run = runner.Run(defconfig, cancellation);
            OpenWrtPrerequisites.ThrowIfCheckFailed(defconfig, run);
            if (!run.Succeeded)
            {
                throw ProcessRunner.Failure(defconfig, run, $"make defconfig failed in {layout.TreeDir}");
            }
            var result = DotConfig.Read(layout.DotConfig);
            var dropped = Dropped(seed, result);
            if (dropped.Count > 0)
            {
                throw new CrossboardException(Explain(board, toolchain, layout, seed, dropped, result), logFile);
            }

            foreach (var line in seed.Where(l => l.StartsWith('#') && DotConfig.TryParse(l, out var s, out _) && !result.Mentions(s)))
            {
                log.Warning($"Seed line '{line}' names a symbol the resulting .config does not mention at all; is its name right?");
            }
        }
        catch
        {
            // Nothing half-done: the tree keeps the .config it had before this seed (and our note that it was verified).
            if (hadConfig)
            {
                File.Copy(backup, layout.DotConfig, overwrite: true);
            }
            else
            {
                File.Delete(layout.DotConfig);
            }

            if (previousState is not null)
            {
                File.WriteAllText(statePath, previousState);
            }

            throw;
        }

        File.WriteAllText(statePath, wanted + "\n" + Sha256(File.ReadAllText(layout.DotConfig)));
        log.Information($"make defconfig kept all {seed.Count} seed lines for board {board.Name}.");
        return new SeedResult(layout.DotConfig, seed, Skipped: false);
    }

    /// <summary>
    /// Crossboard itself changed a .config SeedConfig had verified (packages selected for an app's
    /// target C libraries, then make defconfig): the verification carries over to the new text, so
    /// the next SeedConfig skips instead of seeding again. Nothing is recorded for a .config that
    /// was not verified before the change.
    /// </summary>
    public static void CarryVerification(SdkLayout layout, string before, string after)
    {
        var statePath = Path.Combine(layout.StateDir, SeedStateFile);
        if (!File.Exists(statePath))
        {
            return;
        }

        var state = File.ReadAllText(statePath).Split('\n');
        if (state.Length >= 2 && state[1] == Sha256(before))
        {
            File.WriteAllText(statePath, state[0] + "\n" + Sha256(after));
        }
    }

    /// <summary>Seed lines the resulting .config does not honour.</summary>
    public static IReadOnlyList<string> Dropped(IEnumerable<string> seed, DotConfig result) =>
        seed.Where(line =>
        {
            DotConfig.TryParse(line, out var symbol, out var value);
            return value is null ? result.IsSet(symbol) : result[symbol] != value;
        }).ToList();

    private static string Explain(Board board, ToolchainDefinition toolchain, SdkLayout layout, IReadOnlyList<string> seed,
        IReadOnlyList<string> dropped, DotConfig result)
    {
        var openwrt = board.Openwrt!;
        var tree = new OpenWrtTree(layout.TreeDir);
        var message = new StringBuilder()
            .AppendLine($"make defconfig did not keep the seed for board {board.Name}: {dropped.Count} of {seed.Count} line(s) were dropped or replaced (it exits 0 and silently picks something else).");
        foreach (var line in dropped)
        {
            message.AppendLine($"  dropped: {line}");
        }

        message.AppendLine($"  make defconfig chose instead: target {result.String("CONFIG_TARGET_BOARD") ?? "?"}, subtarget {result.String("CONFIG_TARGET_SUBTARGET") ?? "?"}, profile {result.String("CONFIG_TARGET_PROFILE") ?? "?"}");

        var prefix = $"CONFIG_TARGET_{openwrt.Target}";
        if (dropped.Contains($"{prefix}=y"))
        {
            var targets = tree.Targets();
            message.AppendLine($"{SourcePosition.Of(board.SourceFile, @"^\s*target\s*=")}: target '{openwrt.Target}' is not a target of this tree.{NameSuggestions.Hint(openwrt.Target, targets)}")
                .Append($"Valid targets (target/linux/): {string.Join(", ", targets)}");
        }
        else if (dropped.Contains($"{prefix}_{openwrt.Subtarget}=y"))
        {
            var subtargets = tree.Subtargets(openwrt.Target);
            message.AppendLine($"{SourcePosition.Of(board.SourceFile, @"^\s*subtarget\s*=")}: subtarget '{openwrt.Subtarget}' is not a subtarget of {openwrt.Target}.{NameSuggestions.Hint(openwrt.Subtarget, subtargets)}")
                .Append($"Valid subtargets (SUBTARGETS in target/linux/{openwrt.Target}/Makefile): {string.Join(", ", subtargets)}");
        }
        else if (openwrt.Device.Length > 0 && dropped.Contains($"{prefix}_{openwrt.Subtarget}_DEVICE_{openwrt.Device}=y"))
        {
            var devices = tree.Devices(openwrt.Target, openwrt.Subtarget);
            message.AppendLine($"{SourcePosition.Of(board.SourceFile, @"^\s*device\s*=")}: device '{openwrt.Device}' is not a device of {openwrt.Target}/{openwrt.Subtarget}.{NameSuggestions.Hint(openwrt.Device, devices)}")
                .Append($"Valid devices (TARGET_DEVICES in target/linux/{openwrt.Target}/image/): {string.Join(", ", devices)}");
        }
        else if (openwrt.Profile.Length > 0 && dropped.Contains($"{prefix}_{openwrt.Subtarget}_{openwrt.Profile}=y"))
        {
            var profiles = tree.Profiles(openwrt.Target, openwrt.Subtarget);
            message.AppendLine($"{SourcePosition.Of(board.SourceFile, @"^\s*profile\s*=")}: profile '{openwrt.Profile}' is not a profile of {openwrt.Target}/{openwrt.Subtarget}.{NameSuggestions.Hint(openwrt.Profile, profiles)}")
                .Append($"Valid profiles: {string.Join(", ", profiles)}");
        }
        else
        {
            var files = new[] { board.SourceFile, toolchain.SourceFile }.Where(f => f.Length > 0).Distinct();
            message.Append($"The dropped line(s) come from 'config' in {string.Join(" or ", files)}: a symbol that does not exist in this tree, or whose dependencies are not met. Check its name with `make menuconfig` (search with /).");
        }

        message.AppendLine().Append("The tree keeps the .config it had before.");
        return message.ToString();
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

/// <summary>"file(line,col)" for the first line of a file matching a pattern, for messages that point at a recipe key.</summary>
public static class SourcePosition
{
    public static string Of(string file, string pattern)
    {
        if (file.Length == 0 || !File.Exists(file))
        {
            return file.Length > 0 ? file : "(recipe)";
        }

        var lines = File.ReadAllLines(file);
        for (var i = 0; i < lines.Length; i++)
        {
            var match = Regex.Match(lines[i], pattern);
            if (match.Success)
            {
                return $"{file}({i + 1},{match.Index + 1})";
            }
        }

        return file;
    }
}
