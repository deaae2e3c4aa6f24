#!/bin/sh
# Print the Rust target triple for an autoconf host triple.
#
# Usage: rust-target.sh HOST   (HOST as canonicalized by config.sub)
#
# configure --with-rust calls this to pick `cargo build --target`; it covers
# the PEP 11 tier-1 and tier-2 platforms that build with configure, and the
# tier-3 ones whose Rust target is unambiguous.  (Windows builds use
# PCbuild, not configure.)  An unknown host exits with status 1 and prints
# nothing; set RUST_TARGET to override the mapping.

host=$1
case $host in
    x86_64-*-linux-gnu)             echo x86_64-unknown-linux-gnu ;;
    x86_64-*-linux-musl)            echo x86_64-unknown-linux-musl ;;
    x86_64-*-linux-android)         echo x86_64-linux-android ;;
    aarch64-*-linux-gnu)            echo aarch64-unknown-linux-gnu ;;
    aarch64-*-linux-musl)           echo aarch64-unknown-linux-musl ;;
    aarch64-*-linux-android)        echo aarch64-linux-android ;;
    i[3456]86-*-linux-gnu)          echo i686-unknown-linux-gnu ;;
    armv7*-*-linux-gnueabihf)       echo armv7-unknown-linux-gnueabihf ;;
    powerpc64le-*-linux-gnu)        echo powerpc64le-unknown-linux-gnu ;;
    s390x-*-linux-gnu)              echo s390x-unknown-linux-gnu ;;
    riscv64*-*-linux-gnu)           echo riscv64gc-unknown-linux-gnu ;;
    x86_64-*-freebsd*)              echo x86_64-unknown-freebsd ;;
    aarch64-*-freebsd*)             echo aarch64-unknown-freebsd ;;
    x86_64-apple-darwin*)           echo x86_64-apple-darwin ;;
    aarch64-apple-darwin*|arm-apple-darwin*|arm64-apple-darwin*)
                                    echo aarch64-apple-darwin ;;
    wasm32-*-wasi*)                 echo wasm32-wasip1 ;;
    wasm32-*-emscripten)            echo wasm32-unknown-emscripten ;;
    *)                              exit 1 ;;
esac
