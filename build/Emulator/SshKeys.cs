using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Crossboard.Machine;

namespace Crossboard.Emulator;

/// <summary>
/// Ed25519 key files: generated with ssh-keygen (OpenSSH's format, which every client reads),
/// fingerprinted like <c>ssh-keygen -lf</c>, and converted to the format dropbear loads its host
/// key from (dropbear 2022.83 does not read OpenSSH private keys, and the host's dropbearconvert
/// may be missing).
/// </summary>
public static class SshKeys
{
    /// <summary>Creates an unencrypted ed25519 key pair at <paramref name="path"/> (and .pub) unless it exists.</summary>
    public static void EnsureEd25519(string path, string comment)
    {
        if (File.Exists(path) && File.Exists(path + ".pub"))
        {
            return;
        }

        if (ProcessRunner.Which("ssh-keygen") is null)
        {
            throw new CrossboardException(
                "ssh-keygen is not installed; crossboard makes its SSH keys with it. Install it: sudo apt-get install -y openssh-client (Debian/Ubuntu); macOS has it.");
        }

        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        // Written beside the final name and renamed: an interrupted run never leaves half a key pair.
        var temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        File.Delete(temp);
        File.Delete(temp + ".pub");
        ProcessRunner.RunChecked(new ProcessSpec("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", temp),
            $"Generating the SSH key {path} failed");
        File.Move(temp + ".pub", path + ".pub", overwrite: true);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The SHA256 fingerprint of a public key line ("ssh-ed25519 AAAA... comment"), as "SHA256:..." without padding.</summary>
    public static string Fingerprint(string publicKeyLine)
    {
        var parts = publicKeyLine.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2)
        {
            throw new CrossboardException($"Not an SSH public key: '{publicKeyLine.Trim()}'.");
        }

        var blob = Convert.FromBase64String(parts[1]);
        return "SHA256:" + Convert.ToBase64String(SHA256.HashData(blob)).TrimEnd('=');
    }

    /// <summary>
    /// Dropbear's private key file for an OpenSSH-format ed25519 private key: the SSH string
    /// "ssh-ed25519", then a 64-byte string of the 32-byte seed followed by the 32-byte public key.
    /// </summary>
    public static byte[] ToDropbearEd25519(string openSshPrivateKeyText)
    {
        var (keyType, privateBytes) = ReadOpenSshPrivateKey(openSshPrivateKeyText);
        if (keyType != "ssh-ed25519" || privateBytes.Length != 64)
        {
            throw new CrossboardException($"Expected an ed25519 private key, found {keyType}.");
        }

        var output = new MemoryStream();
        WriteString(output, Encoding.ASCII.GetBytes(keyType));
        WriteString(output, privateBytes);
        return output.ToArray();
    }

    /// <summary>Reads an unencrypted "openssh-key-v1" file: its key type and private key bytes.</summary>
    private static (string KeyType, byte[] Private) ReadOpenSshPrivateKey(string text)
    {
        const string begin = "-----BEGIN OPENSSH PRIVATE KEY-----";
        const string end = "-----END OPENSSH PRIVATE KEY-----";
        var start = text.IndexOf(begin, StringComparison.Ordinal);
        var stop = text.IndexOf(end, StringComparison.Ordinal);
        if (start < 0 || stop < start)
        {
            throw new CrossboardException("Not an OpenSSH private key file (no BEGIN OPENSSH PRIVATE KEY).");
        }

        var data = Convert.FromBase64String(string.Concat(text[(start + begin.Length)..stop].Where(c => !char.IsWhiteSpace(c))));
        var magic = "openssh-key-v1\0"u8;
        if (!data.AsSpan().StartsWith(magic))
        {
            throw new CrossboardException("Not an openssh-key-v1 private key.");
        }

        var reader = new SshReader(data, magic.Length);
        var cipher = Encoding.ASCII.GetString(reader.String());
        if (cipher != "none")
        {
            throw new CrossboardException("The key is encrypted; crossboard's own keys have no passphrase.");
        }

        reader.String(); // kdf name
        reader.String(); // kdf options
        var count = reader.UInt32();
        if (count != 1)
        {
            throw new CrossboardException($"Expected one key in the file, found {count}.");
        }

        reader.String(); // public key blob
        var section = new SshReader(reader.String(), 8); // two check integers first
        var keyType = Encoding.ASCII.GetString(section.String());
        section.String(); // public key
        return (keyType, section.String());
    }

    private static void WriteString(Stream output, byte[] value)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)value.Length);
        output.Write(length);
        output.Write(value);
    }

    private sealed class SshReader(byte[] data, int position)
    {
        private int _position = position;

        public uint UInt32()
        {
            if (_position + 4 > data.Length)
            {
                throw new CrossboardException("The key file is truncated.");
            }

            var value = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(_position));
            _position += 4;
            return value;
        }

        public byte[] String()
        {
            var length = (int)UInt32();
            if (length < 0 || _position + length > data.Length)
            {
                throw new CrossboardException("The key file is truncated.");
            }

            var value = data.AsSpan(_position, length).ToArray();
            _position += length;
            return value;
        }
    }
}
