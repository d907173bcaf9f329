namespace Crossboard.Deploy;

/// <summary>
/// The deploy switches as given (null when absent or empty; files as full paths), read once by
/// the build context. Values are checked where they are used (Deploy, Rollback, Run), so that a
/// bad one fails the task that needs it, as a bad --size-profile fails CargoBuild.
/// </summary>
public sealed record DeploySwitches(
    string? InstallDir = null,
    string? SmokeUrl = null,
    string? SmokeExpect = null,
    string? SmokeTimeout = null,
    string? Compress = null,
    string? Transfer = null,
    string? PasswordEnv = null,
    string? PassphraseEnv = null,
    string? DevicesFile = null,
    string? Identity = null,
    string? HostKey = null,
    string? Parallel = null,
    string? ArtifactFile = null)
{
    /// <param name="value">A switch's value (null when absent).</param>
    /// <param name="fullPath">A file switch's value as a full path.</param>
    public static DeploySwitches Read(Func<string, string?> value, Func<string, string> fullPath)
    {
        string? Given(string name) => value(name) is { Length: > 0 } text ? text : null;
        string? File(string name) => Given(name) is { } path ? fullPath(path) : null;
        return new DeploySwitches(
            Given("install-dir"), Given("smoke-url"), Given("smoke-expect"), Given("smoke-timeout"), Given("compress"), Given("transfer"),
            Given("password-env"), Given("passphrase-env"), File("devices"), Given("identity"), Given("host-key"), Given("parallel"), File("artifact"));
    }
}
