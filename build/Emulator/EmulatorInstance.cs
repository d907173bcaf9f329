using System.Text.Json;

namespace Crossboard.Emulator;

/// <summary>
/// A started emulator, as recorded in &lt;work-dir&gt;/emulator/&lt;board&gt;/instance.json: enough for
/// another crossboard run to find it, check it is still the same qemu, reach it and stop it.
/// </summary>
/// <param name="Board">The emulated board.</param>
/// <param name="Pid">qemu's process id.</param>
/// <param name="Qemu">The qemu executable (a live PID must be running it to count as this instance).</param>
/// <param name="SshPort">127.0.0.1 port forwarded to the device's port 22.</param>
/// <param name="AppPort">127.0.0.1 port forwarded to the device's port 8000 (the app).</param>
/// <param name="HostKeyFingerprint">The device's host key, SHA256:...</param>
/// <param name="DeployKey">The private key authorized for root on the device.</param>
/// <param name="ImageStamp">The stamp of the image it booted.</param>
/// <param name="ConsoleLog">The serial console's log.</param>
/// <param name="StartedUtc">When it was started.</param>
/// <param name="Network">What its network reaches (records from before it existed: isolated, as those were).</param>
public sealed record EmulatorInstance(
    string Board,
    int Pid,
    string Qemu,
    int SshPort,
    int AppPort,
    string HostKeyFingerprint,
    string DeployKey,
    string ImageStamp,
    string ConsoleLog,
    DateTimeOffset StartedUtc,
    EmulatorNetwork Network = EmulatorNetwork.Isolated)
{
    /// <summary>The port the app listens on inside the device.</summary>
    public const int DeviceAppPort = 8000;

    public void Save(string path)
    {
        // Renamed into place: a reader never sees half a file.
        var temp = path + $".{Environment.ProcessId}.tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(this, EmulatorJson.Writing.EmulatorInstance));
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The recorded instance, or null when there is none or the file is unreadable.</summary>
    public static EmulatorInstance? Load(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), EmulatorJson.Reading.EmulatorInstance);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
