using Crossboard.Machine;

namespace Crossboard.Emulator;

/// <summary>
/// crossboard's own deploy key (&lt;work-dir&gt;/keys/id_ed25519): made once with ssh-keygen,
/// authorized for root on the emulated device. A real device uses the user's keys instead.
/// </summary>
public static class DeployKey
{
    public static string PathIn(string workDir) => Path.Combine(workDir, "keys", "id_ed25519");

    /// <summary>The private key's path, generating the pair on first use.</summary>
    public static string Ensure(string workDir, IBuildLog log)
    {
        var path = PathIn(workDir);
        if (File.Exists(path) && File.Exists(path + ".pub"))
        {
            return path;
        }

        using var guard = WorkDirLock.Acquire(Path.GetDirectoryName(path)!, "deploy key", TimeSpan.FromMinutes(1), log.Information);
        if (!File.Exists(path) || !File.Exists(path + ".pub"))
        {
            SshKeys.EnsureEd25519(path, "crossboard-deploy");
            log.Information($"Generated crossboard's deploy key {path}");
        }

        return path;
    }
}
