pub fn greeting() -> String { format!("hello from {}", std::env::consts::ARCH) }
