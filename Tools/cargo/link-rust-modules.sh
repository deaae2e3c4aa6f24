#!/bin/sh
# Link the Rust static library into one relocatable object whose only
# global symbols are the modules' PyInit functions.
#
# Usage: link-rust-modules.sh FORMAT OUTPUT STATICLIB MODULE...
#   FORMAT   elf or macho (the object format of the target)
#   CC       the C compiler driver, possibly with arguments ("gcc -m32")
#   OBJCOPY  objcopy for the target (ELF only)
#
# The partial link pulls from the archive only what the PyInit functions
# reach.  Every other Rust symbol must stop being global, so that the
# interpreter and libpython export no Rust symbols and cannot clash with a
# Rust extension module loaded later:
#   ELF:    objcopy localizes every global but the PyInit functions.
#   Mach-O: Apple's ld -r keeps global only what -exported_symbol names and
#           makes the rest private extern, which the final link binds
#           inside the image and never exports; objcopy is not needed.

set -e

if test $# -lt 4; then
    echo "usage: $0 elf|macho OUTPUT STATICLIB MODULE..." >&2
    exit 2
fi
format=$1 output=$2 staticlib=$3
shift 3

keep=
case $format in
elf)
    for module in "$@"; do
        keep="$keep -Wl,-u,PyInit_$module"
    done
    # $CC is a command line, split into words on purpose.
    # shellcheck disable=SC2086
    $CC -nostdlib -r -Wl,--gc-sections $keep -o "$output.tmp" "$staticlib"
    keep=
    for module in "$@"; do
        keep="$keep --keep-global-symbol=PyInit_$module"
    done
    # Without LTO, the objects of Rust's std carry LLVM bitcode (.llvmbc)
    # that the partial link concatenates; ar's LLVM plugin then fails to
    # read it ("LLVM ERROR: Invalid encoding") and no linker needs it.
    # shellcheck disable=SC2086
    $OBJCOPY $keep --remove-section=.llvmbc --remove-section=.llvmcmd \
        "$output.tmp" "$output"
    rm -f "$output.tmp"
    ;;
macho)
    # C symbols carry a leading underscore in Mach-O.
    for module in "$@"; do
        keep="$keep -Wl,-u,_PyInit_$module -Wl,-exported_symbol,_PyInit_$module"
    done
    # shellcheck disable=SC2086
    $CC -nostdlib -r $keep -o "$output" "$staticlib"
    ;;
*)
    echo "$0: unknown object format '$format' (elf or macho)" >&2
    exit 2
    ;;
esac
