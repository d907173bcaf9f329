use std::ffi::CStr;
use std::os::raw::{c_char, c_int};

extern "C" {
    fn answer() -> c_int;
    fn compiled_for() -> *const c_char;
}

fn main() {
    // SAFETY: both are plain C functions from src/answer.c; compiled_for returns a static string.
    let (answer, arch) = unsafe { (answer(), CStr::from_ptr(compiled_for()).to_string_lossy().into_owned()) };
    println!("C says {} on {}", answer, arch);
}
