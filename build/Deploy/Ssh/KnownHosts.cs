using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Crossboard.Deploy;

/// <summary>What known_hosts says about a host and the key it presented.</summary>
public enum KnownHostVerdict
{
    /// <summary>An entry for the host holds exactly this key.</summary>
    Match,
    /// <summary>The host has an entry of the same key type with a different key: refuse loudly.</summary>
    Changed,
    /// <summary>The key is marked @revoked.</summary>
    Revoked,
    /// <summary>No entry for this host with this key type.</summary>
    Unknown,
}

/// <param name="Verdict">The outcome.</param>
/// <param name="Line">The deciding entry's 1-based line (Match, Changed, Revoked).</param>
/// <param name="StoredKeyType">The key type stored there.</param>
/// <param name="StoredFingerprint">SHA256:... of the stored key (Changed).</param>
/// <param name="OtherKeyTypes">Key types known for the host other than the presented one (Unknown).</param>
public sealed record KnownHostLookup(
    KnownHostVerdict Verdict,
    int Line = 0,
    string? StoredKeyType = null,
    string? StoredFingerprint = null,
    IReadOnlyList<string>? OtherKeyTypes = null);

/// <summary>
/// OpenSSH's known_hosts format (sshd(8), "SSH_KNOWN_HOSTS FILE FORMAT"): comma-separated host
/// patterns with '*', '?' and '!' negation, or one hashed name "|1|salt|hmac-sha1"; a host on a
/// port other than 22 is written "[host]:port"; markers @revoked and @cert-authority.
/// </summary>
public static class KnownHosts
{
    /// <summary>The name ssh looks up for a host and port: "host", or "[host]:port" when not on 22 (lower-case, as ssh does).</summary>
    public static string LookupName(string host, int port)
    {
        var lower = host.ToLowerInvariant();
        return port == 22 ? lower : $"[{lower}]:{port}";
    }

    /// <summary>"SHA256:" and unpadded base64 of the key blob's SHA-256: what ssh-keygen -lf prints.</summary>
    public static string Fingerprint(byte[] keyBlob) => "SHA256:" + Convert.ToBase64String(SHA256.HashData(keyBlob)).TrimEnd('=');

    /// <summary>The key type written inside the blob itself ("ssh-rsa" even when signed with rsa-sha2-512).</summary>
    public static string KeyTypeOf(byte[] keyBlob)
    {
        if (keyBlob.Length < 4)
        {
            return "unknown";
        }

        var length = (keyBlob[0] << 24) | (keyBlob[1] << 16) | (keyBlob[2] << 8) | keyBlob[3];
        return length > 0 && length <= keyBlob.Length - 4 ? Encoding.ASCII.GetString(keyBlob, 4, length) : "unknown";
    }

    /// <summary>The line that records the key for a host, as ssh would append it to known_hosts.</summary>
    public static string EntryLine(string host, int port, byte[] keyBlob) =>
        $"{LookupName(host, port)} {KeyTypeOf(keyBlob)} {Convert.ToBase64String(keyBlob)}";

    public static KnownHostLookup Check(string file, string host, int port, byte[] keyBlob)
    {
        if (!File.Exists(file))
        {
            return new KnownHostLookup(KnownHostVerdict.Unknown, OtherKeyTypes: []);
        }

        var name = LookupName(host, port);
        var keyType = KeyTypeOf(keyBlob);
        KnownHostLookup? changed = null;
        var otherTypes = new List<string>();
        var number = 0;
        foreach (var raw in File.ReadLines(file))
        {
            number++;
            var fields = raw.Trim().Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0 || fields[0].StartsWith('#'))
            {
                continue;
            }

            string? marker = null;
            if (fields[0].StartsWith('@'))
            {
                marker = fields[0];
                fields = fields[1..];
            }

            if (fields.Length < 3 || !HostMatches(fields[0], name))
            {
                continue;
            }

            byte[] stored;
            try
            {
                stored = Convert.FromBase64String(fields[2]);
            }
            catch (FormatException)
            {
                continue;
            }

            var same = stored.AsSpan().SequenceEqual(keyBlob);
            if (marker == "@revoked")
            {
                if (same)
                {
                    return new KnownHostLookup(KnownHostVerdict.Revoked, number, fields[1]);
                }

                continue;
            }

            if (marker is not null)
            {
                // @cert-authority lines vouch for certificates, not for plain host keys.
                continue;
            }

            if (same)
            {
                return new KnownHostLookup(KnownHostVerdict.Match, number, fields[1]);
            }

            if (KeyTypeOf(stored) == keyType)
            {
                changed ??= new KnownHostLookup(KnownHostVerdict.Changed, number, fields[1], Fingerprint(stored));
            }
            else if (!otherTypes.Contains(fields[1]))
            {
                otherTypes.Add(fields[1]);
            }
        }

        return changed ?? new KnownHostLookup(KnownHostVerdict.Unknown, OtherKeyTypes: otherTypes);
    }

    /// <summary>The key types known_hosts holds for a host (blob types: ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa), in file order.</summary>
    public static IReadOnlyList<string> KeyTypesFor(string file, string host, int port)
    {
        if (!File.Exists(file))
        {
            return [];
        }

        var name = LookupName(host, port);
        var types = new List<string>();
        foreach (var raw in File.ReadLines(file))
        {
            var fields = raw.Trim().Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 3 && !fields[0].StartsWith('#') && !fields[0].StartsWith('@') && HostMatches(fields[0], name) && !types.Contains(fields[1]))
            {
                types.Add(fields[1]);
            }
        }

        return types;
    }

    /// <summary>Whether a known_hosts host field (patterns or one hashed name) covers <paramref name="name"/>.</summary>
    public static bool HostMatches(string field, string name)
    {
        if (field.StartsWith("|1|", StringComparison.Ordinal))
        {
            return HashedMatches(field, name);
        }

        var matched = false;
        foreach (var pattern in field.Split(','))
        {
            var negated = pattern.StartsWith('!');
            var body = negated ? pattern[1..] : pattern;
            var regex = "^" + Regex.Escape(body).Replace(@"\*", ".*").Replace(@"\?", ".") + "$";
            if (Regex.IsMatch(name, regex, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant))
            {
                if (negated)
                {
                    return false;
                }

                matched = true;
            }
        }

        return matched;
    }

    private static bool HashedMatches(string field, string name)
    {
        var parts = field.Split('|');
        if (parts.Length != 4)
        {
            return false;
        }

        try
        {
            var salt = Convert.FromBase64String(parts[2]);
            var expected = Convert.FromBase64String(parts[3]);
            var actual = HMACSHA1.HashData(salt, Encoding.UTF8.GetBytes(name));
            return CryptographicOperations.FixedTimeEquals(actual, expected);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
