//! Facts about where this code runs, for CargoTest's tests.

/// The byte order this build was made for, as the running CPU stores a number.
///
/// ```
/// // A doc test: cargo cannot run these for a foreign target, so CargoTest must not claim it did.
/// assert!(false, "doc tests were run");
/// ```
pub fn stored_little_endian() -> bool {
    1u16.to_ne_bytes()[0] == 1
}

/// The ELF machine of the program that is running (from its own file), e.g. 8 for MIPS.
pub fn running_elf_machine() -> u16 {
    let header = std::fs::read("/proc/self/exe").expect("read /proc/self/exe");
    let bytes = [header[18], header[19]];
    if header[5] == 1 { u16::from_le_bytes(bytes) } else { u16::from_be_bytes(bytes) }
}

/// The ELF machine a build for this target has.
pub fn expected_elf_machine() -> u16 {
    match std::env::consts::ARCH {
        "mips" => 8,
        "arm" => 40,
        "x86_64" => 62,
        "aarch64" => 183,
        other => panic!("no ELF machine known for {}", other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_as_the_boards_cpu() {
        // The program that runs is the one built for the target, on a CPU (real or qemu-user)
        // that executes it.
        assert_eq!(running_elf_machine(), expected_elf_machine());
        assert_eq!(stored_little_endian(), cfg!(target_endian = "little"));
    }

    #[test]
    fn reports_where_it_runs() {
        // With --nocapture the test's caller sees where it ran (CargoTest's tests read this line).
        println!(
            "crossboard-test cwd={} arch={} machine={} little-endian={}",
            std::env::current_dir().map(|d| d.display().to_string()).unwrap_or_default(),
            std::env::consts::ARCH,
            running_elf_machine(),
            stored_little_endian()
        );
    }

    #[test]
    #[ignore] // run with --ignored: CargoTest's interruption test stops it with Ctrl+C
    fn waits_to_be_interrupted() {
        println!("crossboard-test waiting in {}", std::env::current_dir().map(|d| d.display().to_string()).unwrap_or_default());
        std::thread::sleep(std::time::Duration::from_secs(120));
    }

    #[test]
    fn fails_on_purpose() {
        assert_eq!(1 + 1, 3, "this test fails on purpose");
    }
}
