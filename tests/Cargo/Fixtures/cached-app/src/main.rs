fn main() { println!("{}", parts::greeting()); }
