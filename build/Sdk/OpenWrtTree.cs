using System.Text.RegularExpressions;

namespace Crossboard.Sdk;

/// <summary>
/// What an OpenWrt tree offers, read from its files (not from make, which would be slow and
/// silent about mistakes): targets (target/linux/*/Makefile), their SUBTARGETS, and the devices
/// of a subtarget (TARGET_DEVICES in target/linux/&lt;target&gt;/image/*.mk and image/Makefile,
/// honouring ifeq ($(SUBTARGET),...) blocks) or its profiles (profiles/*.mk; "Default" when a
/// subtarget has neither, as malta).
/// </summary>
public sealed class OpenWrtTree(string root)
{
    public string Root { get; } = root;

    private string TargetsDir => Path.Combine(Root, "target", "linux");

    public IReadOnlyList<string> Targets() =>
        Directory.Exists(TargetsDir)
            ? Directory.GetDirectories(TargetsDir)
                .Where(d => File.Exists(Path.Combine(d, "Makefile")))
                .Select(Path.GetFileName).OfType<string>()
                .Order(StringComparer.Ordinal).ToList()
            : [];

    public IReadOnlyList<string> Subtargets(string target)
    {
        var makefile = Path.Combine(TargetsDir, target, "Makefile");
        return File.Exists(makefile)
            ? Variable(File.ReadAllLines(makefile), "SUBTARGETS").SelectMany(v => v.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList()
            : [];
    }

    /// <summary>The devices of a subtarget, in the order the tree lists them (its first is what defconfig falls back to).</summary>
    public IReadOnlyList<string> Devices(string target, string subtarget)
    {
        var imageDir = Path.Combine(TargetsDir, target, "image");
        if (!Directory.Exists(imageDir))
        {
            return [];
        }

        var others = Subtargets(target).Where(s => s != subtarget).ToList();
        var files = new List<string>();
        var own = Path.Combine(imageDir, subtarget + ".mk");
        if (File.Exists(own))
        {
            files.Add(own);
        }

        // Other .mk files hold shared templates or, named after a subtarget ("generic-tp-link.mk"),
        // that subtarget's devices.
        files.AddRange(Directory.GetFiles(imageDir, "*.mk").Order(StringComparer.Ordinal)
            .Where(f => f != own && BelongsTo(Path.GetFileNameWithoutExtension(f), subtarget, others)));
        if (File.Exists(Path.Combine(imageDir, "Makefile")))
        {
            files.Add(Path.Combine(imageDir, "Makefile"));
        }

        var devices = new List<string>();
        foreach (var file in files)
        {
            foreach (var device in TargetDevices(File.ReadAllLines(file), subtarget))
            {
                if (!devices.Contains(device))
                {
                    devices.Add(device);
                }
            }
        }

        return devices;
    }

    /// <summary>Profiles (define Profile/X) of a target or subtarget; "Default" when it has no devices and no profiles.</summary>
    public IReadOnlyList<string> Profiles(string target, string subtarget)
    {
        var profiles = new[] { Path.Combine(TargetsDir, target, "profiles"), Path.Combine(TargetsDir, target, subtarget, "profiles") }
            .Where(Directory.Exists)
            .SelectMany(d => Directory.GetFiles(d, "*.mk").Order(StringComparer.Ordinal))
            .SelectMany(f => File.ReadAllLines(f))
            .Select(l => Regex.Match(l, @"^define\s+Profile/([A-Za-z0-9_.+-]+)\s*$"))
            .Where(m => m.Success)
            .Select(m => m.Groups[1].Value)
            .Distinct()
            .ToList();
        return profiles.Count > 0 || Devices(target, subtarget).Count > 0 ? profiles : ["Default"];
    }

    private static bool BelongsTo(string name, string subtarget, IReadOnlyList<string> others) =>
        name == subtarget || name.StartsWith(subtarget + "-", StringComparison.Ordinal) ||
        !others.Any(o => name == o || name.StartsWith(o + "-", StringComparison.Ordinal));

    private static IEnumerable<string> TargetDevices(IEnumerable<string> lines, string subtarget)
    {
        // A stack of ifeq/ifneq ($(SUBTARGET),x) conditions: true, false, or null for conditions on anything else.
        var conditions = new Stack<bool?>();
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            var cond = Regex.Match(line, @"^(?<op>ifeq|ifneq)\s*\(\s*\$\(SUBTARGET\)\s*,\s*(?<value>[^)]*?)\s*\)");
            if (cond.Success)
            {
                var equal = cond.Groups["value"].Value == subtarget;
                conditions.Push(cond.Groups["op"].Value == "ifeq" ? equal : !equal);
                continue;
            }

            if (Regex.IsMatch(line, @"^(ifeq|ifneq|ifdef|ifndef)\b"))
            {
                conditions.Push(null);
                continue;
            }

            if (line.StartsWith("else", StringComparison.Ordinal) && conditions.Count > 0)
            {
                var top = conditions.Pop();
                conditions.Push(top is { } t ? !t : null);
                continue;
            }

            if (line.StartsWith("endif", StringComparison.Ordinal) && conditions.Count > 0)
            {
                conditions.Pop();
                continue;
            }

            var devices = Regex.Match(line, @"^TARGET_DEVICES\s*\+=\s*(?<names>.+)$");
            if (devices.Success && conditions.All(c => c != false))
            {
                foreach (var name in devices.Groups["names"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    yield return name;
                }
            }
        }
    }

    private static IEnumerable<string> Variable(IEnumerable<string> lines, string name) =>
        lines.Select(l => Regex.Match(l, $@"^\s*{Regex.Escape(name)}\s*[:+?]?=\s*(?<v>.*)$"))
            .Where(m => m.Success)
            .Select(m => m.Groups["v"].Value.Trim());
}
