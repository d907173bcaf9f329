fn main() {
    // Any item of the crate proves it was resolved and compiled for the target.
    let config = pkg_config::Config::new();
    let _ = config;
    println!("pkg-config crate linked");
}
