using Crossboard.Machine;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace Crossboard.Deploy;

/// <summary>
/// Where secrets come from: a password from the environment variable the user names
/// (--password-env=VAR), a key passphrase from another (--passphrase-env=VAR) or typed at a
/// prompt. Secrets live only in memory and in SSH.NET's authentication methods: no message, log
/// line or exception text carries them; messages name the variable, never its value.
/// </summary>
/// <param name="PasswordVariable">The environment variable holding the login password.</param>
/// <param name="PassphraseVariable">The environment variable holding the key passphrase.</param>
/// <param name="PromptSecret">Asks the user for a secret without echo (null when nobody can be asked, e.g. CI).</param>
public sealed record DeployCredentials(
    string? PasswordVariable = null,
    string? PassphraseVariable = null,
    Func<string, string?>? PromptSecret = null)
{
    private readonly Dictionary<string, string> _passphrases = new(StringComparer.Ordinal);

    /// <summary>The authentication methods for <paramref name="target"/>, and a description of them (no secrets) for messages.</summary>
    public (List<AuthenticationMethod> Methods, List<string> Described, List<IDisposable> Owned) MethodsFor(DeviceTarget target, IBuildLog log)
    {
        var methods = new List<AuthenticationMethod>();
        var described = new List<string>();
        var owned = new List<IDisposable>();
        var keys = new List<IPrivateKeySource>();
        foreach (var file in target.IdentityFiles)
        {
            if (LoadKey(file, log) is { } key)
            {
                keys.Add(key);
                owned.Add(key);
                described.Add($"key {file}");
            }
        }

        if (keys.Count > 0)
        {
            methods.Add(new PrivateKeyAuthenticationMethod(target.User, keys.ToArray()));
        }

        if (PasswordVariable is not null)
        {
            var password = Environment.GetEnvironmentVariable(PasswordVariable);
            if (string.IsNullOrEmpty(password))
            {
                throw new CrossboardException(
                    $"--password-env={PasswordVariable}: the environment variable {PasswordVariable} is not set (or empty). Set it to the device's password, e.g. read -rs {PasswordVariable}; export {PasswordVariable}");
            }

            methods.Add(new PasswordAuthenticationMethod(target.User, password));
            // Servers behind PAM (OpenSSH's default) ask for the password through keyboard-interactive.
            var interactive = new KeyboardInteractiveAuthenticationMethod(target.User);
            interactive.AuthenticationPrompt += (_, e) =>
            {
                foreach (var prompt in e.Prompts)
                {
                    prompt.Response = password;
                }
            };
            methods.Add(interactive);
            owned.Add(interactive);
            described.Add($"password from ${PasswordVariable}");
        }

        if (methods.Count == 0)
        {
            var tried = target.IdentityFiles.Count == 0
                ? $"no key file ({string.Join(", ", DeviceResolver.DefaultKeyNames.Select(k => "~/.ssh/" + k))} do not exist)"
                : $"no usable key ({string.Join(", ", target.IdentityFiles)})";
            throw new CrossboardException(
                $"No way to log in to device '{target.Name}' as {target.User}: {tried} and no password. " +
                "Pass --identity=FILE (a private key whose public half is in the device's authorized_keys; /etc/dropbear/authorized_keys on OpenWrt) " +
                "or --password-env=VAR (the name of an environment variable holding the password).");
        }

        return (methods, described, owned);
    }

    private PrivateKeyFile? LoadKey(string file, IBuildLog log)
    {
        try
        {
            return new PrivateKeyFile(file);
        }
        catch (SshPassPhraseNullOrEmptyException)
        {
            var passphrase = Passphrase(file);
            if (passphrase is null)
            {
                log.Warning($"Key {file} is protected by a passphrase and none was given: skipped. " +
                    "Pass --passphrase-env=VAR (an environment variable holding it), or run on a terminal to be asked.");
                return null;
            }

            try
            {
                return new PrivateKeyFile(file, passphrase);
            }
            catch (SshException)
            {
                throw new CrossboardException(
                    $"The passphrase for key {file} is wrong" + (PassphraseVariable is null ? "." : $" (it came from ${PassphraseVariable}).") +
                    " Check it with: ssh-keygen -y -f " + ProcessSpec.ShellQuote(file));
            }
        }
        catch (Exception ex) when (ex is SshException or InvalidOperationException or NotSupportedException or ArgumentException or FormatException)
        {
            // Not a private key SSH.NET reads (a .pub file, PuTTY format, a FIDO key): ssh skips these too.
            log.Warning($"Key {file} cannot be used ({ex.Message.TrimEnd('.')}): skipped.");
            return null;
        }
        catch (IOException ex)
        {
            log.Warning($"Key {file} cannot be read ({ex.Message.TrimEnd('.')}): skipped.");
            return null;
        }
    }

    private string? Passphrase(string file)
    {
        lock (_passphrases)
        {
            if (_passphrases.TryGetValue(file, out var known))
            {
                return known;
            }

            var value = PassphraseVariable is not null ? Environment.GetEnvironmentVariable(PassphraseVariable) : null;
            if (string.IsNullOrEmpty(value))
            {
                value = PromptSecret?.Invoke($"Passphrase for {file}: ");
            }

            if (!string.IsNullOrEmpty(value))
            {
                _passphrases[file] = value;
                return value;
            }

            return null;
        }
    }

    /// <summary>Reads a secret from the terminal without echoing it; null when there is no terminal.</summary>
    public static string? PromptOnTerminal(string prompt)
    {
        if (Console.IsInputRedirected || Console.IsOutputRedirected)
        {
            return null;
        }

        Console.Write(prompt);
        var text = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (text.Length > 0)
                {
                    text.Length--;
                }

                continue;
            }

            text.Append(key.KeyChar);
        }

        Console.WriteLine();
        return text.ToString();
    }
}
