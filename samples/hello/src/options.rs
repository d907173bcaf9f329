//! Command-line options: `--listen`/`--port` (tests pick a free port; a device keeps 8000),
//! `--version`, `--help`.

pub const DEFAULT_LISTEN: &str = "0.0.0.0:8000";

pub const USAGE: &str = "\
usage: hello [--listen ADDRESS:PORT | --port PORT] [--version] [--help]

Answers GET /text with 'hello world'.

  --listen ADDRESS:PORT  where to listen (default 0.0.0.0:8000; also HELLO_LISTEN)
  --port PORT            listen on 0.0.0.0:PORT (0 picks a free port)
  --version, -V          print the version and exit
  --help, -h             print this help and exit

SIGTERM or SIGINT stops the server after open requests finish.";

#[derive(Debug, PartialEq, Eq)]
pub struct Options {
    pub listen: String,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Run(Options),
    Version,
    Help,
}

/// Parses the arguments (without the program name); `env_listen` is HELLO_LISTEN, which an
/// argument overrides.
pub fn parse<I: IntoIterator<Item = String>>(args: I, env_listen: Option<String>) -> Result<Command, String> {
    let mut listen = env_listen.filter(|l| !l.is_empty()).unwrap_or_else(|| DEFAULT_LISTEN.to_string());
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => (name.to_string(), Some(value.to_string())),
            _ => (arg.clone(), None),
        };
        match name.as_str() {
            "--version" | "-V" => return Ok(Command::Version),
            "--help" | "-h" => return Ok(Command::Help),
            "--listen" => {
                let value = value_of(&name, inline, &mut args)?;
                if !value.contains(':') {
                    return Err(format!("--listen needs ADDRESS:PORT, e.g. 127.0.0.1:8000, not '{}'", value));
                }
                listen = value;
            }
            "--port" => {
                let value = value_of(&name, inline, &mut args)?;
                let port: u16 = value
                    .parse()
                    .map_err(|_| format!("--port needs a number from 0 to 65535, not '{}'", value))?;
                listen = format!("0.0.0.0:{}", port);
            }
            _ => return Err(format!("unknown argument '{}'", arg)),
        }
    }

    Ok(Command::Run(Options { listen }))
}

fn value_of<I: Iterator<Item = String>>(name: &str, inline: Option<String>, rest: &mut I) -> Result<String, String> {
    inline
        .or_else(|| rest.next())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| format!("{} needs a value", name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Command, String> {
        parse(args.iter().map(|s| s.to_string()), None)
    }

    #[test]
    fn defaults_to_port_8000_on_every_address() {
        assert_eq!(run(&[]), Ok(Command::Run(Options { listen: "0.0.0.0:8000".into() })));
    }

    #[test]
    fn listen_and_port_in_both_spellings() {
        assert_eq!(run(&["--listen", "127.0.0.1:0"]), Ok(Command::Run(Options { listen: "127.0.0.1:0".into() })));
        assert_eq!(run(&["--listen=127.0.0.1:9"]), Ok(Command::Run(Options { listen: "127.0.0.1:9".into() })));
        assert_eq!(run(&["--port", "8080"]), Ok(Command::Run(Options { listen: "0.0.0.0:8080".into() })));
    }

    #[test]
    fn environment_is_overridden_by_arguments() {
        let env = Some("127.0.0.1:1".to_string());
        assert_eq!(parse(Vec::new(), env.clone()), Ok(Command::Run(Options { listen: "127.0.0.1:1".into() })));
        assert_eq!(parse(vec!["--port=2".to_string()], env), Ok(Command::Run(Options { listen: "0.0.0.0:2".into() })));
    }

    #[test]
    fn bad_input_is_explained() {
        assert!(run(&["--port", "http"]).unwrap_err().contains("0 to 65535"));
        assert!(run(&["--listen", "8000"]).unwrap_err().contains("ADDRESS:PORT"));
        assert!(run(&["--port"]).unwrap_err().contains("needs a value"));
        assert!(run(&["--frobnicate"]).unwrap_err().contains("unknown argument '--frobnicate'"));
    }

    #[test]
    fn version_and_help() {
        assert_eq!(run(&["--version"]), Ok(Command::Version));
        assert_eq!(run(&["-h"]), Ok(Command::Help));
    }
}
