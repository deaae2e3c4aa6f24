//! Tells the crate whether its compiler has the AVX-512 intrinsics, stable
//! since Rust 1.89: with an older rustc (the workspace supports 1.85) the
//! AVX-512 kernels are left out and AVX2 is the widest level.

use std::env;
use std::process::Command;

const AVX512_SINCE: (u32, u32) = (1, 89);

fn main() {
    println!("cargo::rustc-check-cfg=cfg(has_avx512)");
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let output = Command::new(&rustc)
        .arg("--version")
        .output()
        .unwrap_or_else(|err| panic!("cannot run {rustc} --version: {err}"));
    let version = String::from_utf8_lossy(&output.stdout);
    // "rustc 1.95.0 (59807616e 2026-04-14)"
    let mut numbers = version
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .split('.')
        .map(|part| part.parse::<u32>().unwrap_or(0));
    let release = (numbers.next().unwrap_or(0), numbers.next().unwrap_or(0));
    if release >= AVX512_SINCE {
        println!("cargo::rustc-cfg=has_avx512");
    }
}
