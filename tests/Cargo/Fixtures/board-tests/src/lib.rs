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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_as_little_endian_mips() {
        // Built for the board (mipsel) and run on its CPU (qemu-user): on the build machine by
        // mistake, this is x86-64 (ELF machine 62) and fails.
        assert!(cfg!(target_arch = "mips"), "built for {}, not mips", std::env::consts::ARCH);
        assert!(stored_little_endian());
        assert_eq!(running_elf_machine(), 8, "the running program is not a MIPS ELF");
    }

    #[test]
    fn fails_on_purpose() {
        assert_eq!(1 + 1, 3, "this test fails on purpose");
    }
}
