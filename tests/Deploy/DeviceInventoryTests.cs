using Crossboard.Deploy;
using Crossboard.Machine;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Deploy;

/// <summary>--devices files: one target per line, or a TOML inventory; mistakes point at their line.</summary>
[Tier(TestTier.Unit)]
public sealed class DeviceInventoryTests : IDisposable
{
    private readonly TempDir _dir = new("inventory");
    private static readonly string Pin = "SHA256:" + new string('Q', 43);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_line_file_holds_targets_with_optional_pins_and_comments()
    {
        var file = _dir.Write("fleet.txt", $"# shop floor\nroot@10.0.0.1\n\n  10.0.0.2:2222 {Pin}  # line 4\n");

        var entries = DeviceInventory.Load(file);

        Assert.Equal(2, entries.Count);
        Assert.Equal(("root@10.0.0.1", "root@10.0.0.1", null), (entries[0].Name, entries[0].Target, entries[0].HostKey));
        Assert.Equal(("10.0.0.2:2222", Pin, $"{file}(4)"), (entries[1].Target, entries[1].HostKey, entries[1].Where));
    }

    [Fact]
    public void A_toml_inventory_names_devices_and_gives_each_its_key()
    {
        var file = _dir.Write("fleet.toml",
            "[[device]]\nname = \"kitchen\"\ntarget = \"root@10.0.0.5\"\nhost-key = \"" + Pin + "\"\n\n" +
            "[[device]]\ntarget = \"pi@10.0.0.6:2222\"\nidentity = \"~/.ssh/pi\"\n");

        var entries = DeviceInventory.Load(file);

        Assert.Equal(("kitchen", "root@10.0.0.5", Pin, null), (entries[0].Name, entries[0].Target, entries[0].HostKey, entries[0].Identity));
        Assert.Equal(("pi@10.0.0.6:2222", "~/.ssh/pi"), (entries[1].Name, entries[1].Identity));
    }

    [Theory]
    [InlineData("fleet.toml", "[[device]]\ntarget = \"a\"\nhostkey = \"x\"\n", "fleet.toml(3,1): unknown key 'hostkey' in [[device]]. Did you mean 'host-key'?")]
    [InlineData("fleet.toml", "[[device]]\nname = \"a\"\n", "fleet.toml(1): this [[device]] has no target")]
    [InlineData("fleet.toml", "[[device]]\ntarget = 5\n", "fleet.toml(2,1): 'target' must be a string.")]
    [InlineData("fleet.toml", "[devices]\ntarget = \"a\"\n", "fleet.toml(1): unknown table 'devices'")]
    [InlineData("fleet.toml", "[[device]]\ntarget = \n", "fleet.toml(2,")]
    [InlineData("fleet.txt", "host1\nhost2 extra\n", "fleet.txt(2): 'host2 extra' is not '[user@]host[:port]'")]
    [InlineData("fleet.txt", "host1 SHA256:short\n", "fleet.txt(1): 'SHA256:short' is not an SHA256 fingerprint")]
    [InlineData("fleet.txt", "host1\nhost1\n", "fleet.txt(2): device 'host1' is listed twice (first at")]
    [InlineData("fleet.txt", "# nobody\n", "lists no devices")]
    public void Mistakes_are_reported_with_their_position(string name, string text, string expected)
    {
        var file = _dir.Write(name, text);

        var error = Assert.Throws<InputException>(() => DeviceInventory.Load(file));

        Assert.Contains(expected, error.Message.Replace(_dir.Path + "/", ""));
    }
}
