dnl Tools/cargo/rust.m4: `configure --with-rust` for CPython's Rust modules.
dnl
dnl configure.ac includes this file and calls PY_RUST_MODULES once, after
dnl the C checks (so confdefs.h holds nearly all of pyconfig.h) and before
dnl MODULE_BLOCK is substituted.  The Makefile rules are in
dnl Tools/cargo/rust.mk.

dnl The names of the standard library modules written in Rust, in
dnl PY_RUST_MODULE_NAMES and PY_RUST_TEST_MODULE_NAMES (built only with
dnl the test modules), from their lines in Modules/Setup.stdlib.in
dnl (Tools/cargo/regen_rust_modules.py).
m4_include([Tools/cargo/rust-modules.m4])

dnl _PY_RUST_MISSING([WHAT])
dnl Record a missing prerequisite; the message names it and how to get it.
AC_DEFUN([_PY_RUST_MISSING],
  [AS_VAR_APPEND([py_rust_missing], ["$as_nl    - $1"])])

dnl PY_RUST_MODULES
dnl Handle --with-rust[=yes|no|auto] (default auto): find cargo, rustc (at
dnl least the workspace's rust-version), bindgen-cli and a libclang that can
dnl parse Python.h; choose the Rust target and cargo profile; enable the
dnl Rust modules (state yes, disabled or missing, as for C modules).
AC_DEFUN([PY_RUST_MODULES], [
AC_ARG_VAR([CARGO], [Rust package manager for --with-rust])
AC_ARG_VAR([RUSTC], [Rust compiler for --with-rust])
AC_ARG_VAR([BINDGEN], [bindgen-cli for --with-rust (generates cpython-sys)])
AC_ARG_VAR([RUST_TARGET],
  [Rust target triple for --with-rust (default: derived from the host triple by Tools/cargo/rust-target.sh)])
AC_ARG_VAR([LIBCLANG_PATH],
  [directory of the libclang that bindgen loads for --with-rust (default: bindgen's own search; on macOS also Homebrew's LLVM and Xcode's)])

AC_MSG_CHECKING([for --with-rust])
AC_ARG_WITH([rust],
  [AS_HELP_STRING([--with-rust@<:@=yes|no|auto@:>@],
    [build the standard library modules written in Rust; needs cargo, rustc (at least the rust-version of Cargo.toml), bindgen and libclang; auto builds them only when all are found (default is auto)])],
  [AS_CASE([$with_rust],
    [yes|no|auto], [],
    [AC_MSG_ERROR([invalid value '$with_rust' for --with-rust: use yes, no or auto])])],
  [with_rust=auto])
AC_MSG_RESULT([$with_rust])

py_rust_missing=
py_rust_dir=conftest.rust
AS_VAR_IF([with_rust], [no], [], [
  rm -rf $py_rust_dir && mkdir $py_rust_dir

  AC_PATH_PROG([CARGO], [cargo])
  AS_IF([test -z "$CARGO"],
    [_PY_RUST_MISSING([cargo: install Rust with rustup (https://rustup.rs) or set CARGO])])

  py_rust_min_version=`sed -n 's/^rust-version = "\(.*\)"$/\1/p' "$srcdir/Cargo.toml"`
  AC_PATH_PROG([RUSTC], [rustc])
  AS_IF([test -z "$RUSTC"],
    [_PY_RUST_MISSING([rustc >= $py_rust_min_version: install Rust with rustup (https://rustup.rs) or set RUSTC])],
    [AC_MSG_CHECKING([whether rustc is at least $py_rust_min_version])
     py_rustc_version=`"$RUSTC" --version 2>/dev/null | sed -n 's/^rustc \(@<:@0-9.@:>@*\).*/\1/p'`
     AS_VERSION_COMPARE([$py_rustc_version], [$py_rust_min_version],
       [AC_MSG_RESULT([no, $py_rustc_version])
        _PY_RUST_MISSING([rustc >= $py_rust_min_version (found ${py_rustc_version:-no version}): rustup update])],
       [AC_MSG_RESULT([yes, $py_rustc_version])],
       [AC_MSG_RESULT([yes, $py_rustc_version])])])

  dnl One cargo build makes one architecture, so a universal build (several
  dnl -arch flags for each C file) is refused; lipo of per-architecture
  dnl builds is not implemented.  A universal SDK build for one
  dnl architecture takes the Rust target from its -arch.
  py_rust_archs=`echo $UNIVERSAL_ARCH_FLAGS | sed 's/-arch *//g'`
  AS_CASE([$py_rust_archs],
    [*" "*], [_PY_RUST_MISSING([support for universal builds (--with-universal-archs=$UNIVERSAL_ARCHS: $py_rust_archs): one cargo build makes one architecture; configure --with-universal-archs=intel-64, or without --enable-universalsdk, or --without-rust])],
    [arm64], [AS_IF([test -z "$RUST_TARGET"], [RUST_TARGET=aarch64-apple-darwin])],
    [x86_64], [AS_IF([test -z "$RUST_TARGET"], [RUST_TARGET=x86_64-apple-darwin])])

  AC_MSG_CHECKING([for the Rust target])
  AS_IF([test -z "$RUST_TARGET"],
    [RUST_TARGET=`$SHELL "$srcdir/Tools/cargo/rust-target.sh" "$host"`])
  AS_IF([test -n "$RUST_TARGET"],
    [AC_MSG_RESULT([$RUST_TARGET])],
    [AC_MSG_RESULT([unknown])
     _PY_RUST_MISSING([a Rust target triple for host $host: set RUST_TARGET])])

  dnl Building an empty static library checks that the target's standard
  dnl library is installed and tells which system libraries it needs.
  AS_IF([test -n "$RUSTC" && test -n "$RUST_TARGET"], [
    AC_MSG_CHECKING([for the Rust standard library for $RUST_TARGET])
    : > $py_rust_dir/empty.rs
    AS_IF(["$RUSTC" --crate-type staticlib --crate-name conftest --target "$RUST_TARGET" \
             --print native-static-libs -o $py_rust_dir/libconftest.a \
             $py_rust_dir/empty.rs >$py_rust_dir/rustc.log 2>&1],
      [RUST_NATIVE_LIBS=`sed -n 's/^note: native-static-libs: //p' $py_rust_dir/rustc.log`
       AC_MSG_RESULT([yes, needs $RUST_NATIVE_LIBS])
       dnl A C compiler for another word size than the Rust target (CC="gcc
       dnl -m32" without --host) would give bindings of the wrong layout.
       AC_MSG_CHECKING([whether $RUST_TARGET has the C compiler's pointer size])
       py_rust_pointer_bits=`"$RUSTC" --print cfg --target "$RUST_TARGET" 2>/dev/null |
         sed -n 's/^target_pointer_width="\(@<:@0-9@:>@*\)"$/\1/p'`
       py_c_pointer_bits=`expr "$ac_cv_sizeof_void_p" \* 8`
       AS_IF([test "$py_rust_pointer_bits" = "$py_c_pointer_bits"],
         [AC_MSG_RESULT([yes, $py_rust_pointer_bits bits])],
         [AC_MSG_RESULT([no, $py_rust_pointer_bits bits for Rust, $py_c_pointer_bits for C])
          _PY_RUST_MISSING([a Rust target for this C compiler (host $host): configure --host=TRIPLE for the C compiler's target, or set RUST_TARGET])])],
      [AC_MSG_RESULT([no])
       cat $py_rust_dir/rustc.log >&AS_MESSAGE_LOG_FD
       _PY_RUST_MISSING([the Rust standard library for $RUST_TARGET: rustup target add $RUST_TARGET, or install your distribution's Rust standard library for $RUST_TARGET])])
  ])

  dnl --with-address-sanitizer instruments the C code (given any value,
  dnl as configure.ac treats it); the Rust crates get the same when rustc
  dnl has -Zsanitizer=address, a nightly option.  Only the crates cargo
  dnl builds are instrumented: Rust's std comes prebuilt (rebuilding it
  dnl needs rust-src and -Zbuild-std).  ASan is made for mixing
  dnl instrumented with uninstrumented code, as the C code already mixes
  dnl with libc, and rustc does not make it a target modifier
  dnl (rust-lang/rust#138736 exempts AddressSanitizer), so linking against
  dnl the uninstrumented std needs no -Cunsafe-allow-abi-mismatch.  The
  dnl static library gets no ASan runtime (rustc links one only into
  dnl executables): the C compiler's -fsanitize=address links its own.
  RUST_SANITIZER_FLAGS=
  py_rust_asan=
  AS_VAR_SET_IF([with_address_sanitizer],
    [AS_IF([test -n "$RUSTC" && test -n "$RUST_TARGET"], [
      AC_MSG_CHECKING([whether rustc supports -Zsanitizer=address])
      AS_IF(["$RUSTC" -Zsanitizer=address --crate-type staticlib --crate-name conftest \
               --target "$RUST_TARGET" -o $py_rust_dir/libconftest.a \
               $py_rust_dir/empty.rs >$py_rust_dir/rustc.log 2>&1],
        [py_rust_asan=yes
         RUST_SANITIZER_FLAGS=-Zsanitizer=address],
        [py_rust_asan=no
         cat $py_rust_dir/rustc.log >&AS_MESSAGE_LOG_FD])
      AC_MSG_RESULT([$py_rust_asan])])])

  dnl bindgen's clang parses the headers for the C compiler's target: the
  dnl GNU host triple (a Rust triple is not always one clang knows, e.g.
  dnl riscv64gc), and the C compiler's sysroot when it has one.  On macOS
  dnl the Rust triple instead (config.guess names Apple silicon
  dnl arm-apple-darwin, which clang reads as 32-bit ARM) and the SDK that
  dnl xcrun names, unless the flags choose one.
  AS_CASE([$ac_sys_system/$RUST_TARGET],
    [Darwin/?*], [
      RUST_CLANG_FLAGS="--target=$RUST_TARGET"
      AS_CASE([" $CPPFLAGS $CFLAGS "],
        [*" -isysroot "*], [],
        [py_rust_sysroot=`xcrun --show-sdk-path 2>/dev/null`
         AS_IF([test -n "$py_rust_sysroot" && test -d "$py_rust_sysroot"],
           [AS_VAR_APPEND([RUST_CLANG_FLAGS], [" -isysroot $py_rust_sysroot"])])])],
    [RUST_CLANG_FLAGS="--target=$host"
     py_rust_sysroot=`$CC -print-sysroot 2>/dev/null`
     AS_IF([test -n "$py_rust_sysroot" && test -d "$py_rust_sysroot"],
       [AS_VAR_APPEND([RUST_CLANG_FLAGS], [" --sysroot=$py_rust_sysroot"])])])

  AC_PATH_PROG([BINDGEN], [bindgen])
  AS_IF([test -z "$BINDGEN"],
    [_PY_RUST_MISSING([bindgen >= 0.60 (bindgen-cli): apt install bindgen, or cargo install bindgen-cli; or set BINDGEN])],
    [AC_MSG_CHECKING([whether bindgen is at least 0.60])
     py_bindgen_version=`"$BINDGEN" --version 2>/dev/null | sed -n 's/^bindgen \(@<:@0-9.@:>@*\).*/\1/p'`
     AS_VERSION_COMPARE([$py_bindgen_version], [0.60],
       [AC_MSG_RESULT([no, ${py_bindgen_version:-unknown version}])
        _PY_RUST_MISSING([bindgen >= 0.60 (found ${py_bindgen_version:-no version}): apt install bindgen, or cargo install bindgen-cli])],
       [AC_MSG_RESULT([yes, $py_bindgen_version])],
       [AC_MSG_RESULT([yes, $py_bindgen_version])])
     dnl confdefs.h holds the configuration so far: enough of pyconfig.h
     dnl for libclang to parse Python.h as the build will.  bindgen finds
     dnl libclang itself (LIBCLANG_PATH, llvm-config, the usual places);
     dnl when that fails on macOS, the libclang of Homebrew's LLVM and of
     dnl Xcode or its Command Line Tools are tried as LIBCLANG_PATH.
     AC_MSG_CHECKING([whether bindgen and libclang can parse Python.h])
     cp confdefs.h $py_rust_dir/pyconfig.h
     echo '@%:@include "Python.h"' > $py_rust_dir/check.h
     py_rust_libclang_dirs=
     AS_CASE([$ac_sys_system/$LIBCLANG_PATH],
       [Darwin/], [py_rust_libclang_dirs="`brew --prefix llvm 2>/dev/null`/lib `xcode-select -p 2>/dev/null`/Toolchains/XcodeDefault.xctoolchain/usr/lib /Library/Developer/CommandLineTools/usr/lib"])
     py_rust_parses=no
     : > $py_rust_dir/bindgen.log
     for py_rust_libclang in "$LIBCLANG_PATH" $py_rust_libclang_dirs; do
       AS_IF([test "$py_rust_libclang" = "$LIBCLANG_PATH" || test -f "$py_rust_libclang/libclang.dylib"], [
         echo "bindgen with LIBCLANG_PATH=$py_rust_libclang:" >>$py_rust_dir/bindgen.log
         AS_IF([env ${py_rust_libclang:+LIBCLANG_PATH="$py_rust_libclang"} \
                  "$BINDGEN" $py_rust_dir/check.h --allowlist-function Py_Initialize \
                  -o $py_rust_dir/bindings.rs -- -I$py_rust_dir -I"$srcdir/Include" \
                  $RUST_CLANG_FLAGS >>$py_rust_dir/bindgen.log 2>&1 &&
                grep Py_Initialize $py_rust_dir/bindings.rs >/dev/null],
           [py_rust_parses=yes
            LIBCLANG_PATH=$py_rust_libclang
            break])])
     done
     AS_IF([test $py_rust_parses = yes],
      [AC_MSG_RESULT([yes${LIBCLANG_PATH:+, with LIBCLANG_PATH=$LIBCLANG_PATH}])],
      [AC_MSG_RESULT([no])
       cat $py_rust_dir/bindgen.log >&AS_MESSAGE_LOG_FD
       AS_CASE([$ac_sys_system],
         [Darwin], [_PY_RUST_MISSING([a libclang that bindgen can load and that parses Python.h: brew install llvm, or xcode-select --install; or set LIBCLANG_PATH (see config.log)])],
         [_PY_RUST_MISSING([a libclang that bindgen can load and that parses Python.h: apt install libclang-dev clang, or set LIBCLANG_PATH (see config.log)])])])])

  dnl The Rust code is linked as one relocatable object whose only global
  dnl symbols are the PyInit functions, so the interpreter exports no Rust
  dnl symbols (Tools/cargo/link-rust-modules.sh): Apple's ld -r does it
  dnl alone for Mach-O, objcopy does it for ELF.
  AS_CASE([$ac_sys_system],
    [Darwin|iOS], [RUST_OBJECT_FORMAT=macho],
    [RUST_OBJECT_FORMAT=elf
     AC_CHECK_TOOLS([OBJCOPY], [objcopy llvm-objcopy])
     AS_IF([test -z "$OBJCOPY"],
       [_PY_RUST_MISSING([objcopy (binutils), to keep Rust symbols private])])])
  rm -rf $py_rust_dir
])

AC_MSG_CHECKING([whether to build the Rust modules])
AS_IF([test "$with_rust" != no && test -z "$py_rust_missing"],
  [WITH_RUST=yes], [WITH_RUST=no])
AC_MSG_RESULT([$WITH_RUST])
AS_CASE([$with_rust/$WITH_RUST],
  [yes/no], [AC_MSG_ERROR([--with-rust: missing prerequisites:$py_rust_missing])],
  [auto/no], [AC_MSG_WARN([not building the Rust modules (--with-rust=auto); missing:$py_rust_missing])])
AS_IF([test "$WITH_RUST/$py_rust_asan" = yes/no],
  [AC_MSG_WARN([the Rust modules are not instrumented by AddressSanitizer, only the C code: $RUSTC has no -Zsanitizer=address; a nightly rustc has (export RUSTUP_TOOLCHAIN=nightly for configure and make, or set RUSTC to the path 'rustup which --toolchain nightly rustc' prints)])])

AS_VAR_IF([Py_DEBUG], [true], [CARGO_PROFILE=pydebug], [CARGO_PROFILE=release])

m4_foreach([py_rust_module], PY_RUST_MODULE_NAMES,
  [PY_STDLIB_MOD(py_rust_module, [test "$with_rust" != no], [test "$WITH_RUST" = yes])])
m4_foreach([py_rust_module], PY_RUST_TEST_MODULE_NAMES,
  [PY_STDLIB_MOD(py_rust_module,
    [test "$with_rust" != no && test "$TEST_MODULES" = yes],
    [test "$WITH_RUST" = yes])])

dnl RUST_MODULES: the modules to build (cargo features of the static
dnl library), whose PyInit functions the link keeps global.
dnl (Each expansion ends with a newline: shell needs one between them.)
RUST_MODULES=
m4_foreach([py_rust_module], PY_RUST_MODULE_NAMES,
  [AS_VAR_IF([py_cv_module_]py_rust_module, [yes],
    [AS_VAR_APPEND([RUST_MODULES], [" py_rust_module"])])
])
m4_foreach([py_rust_module], PY_RUST_TEST_MODULE_NAMES,
  [AS_VAR_IF([py_cv_module_]py_rust_module, [yes],
    [AS_VAR_APPEND([RUST_MODULES], [" py_rust_module"])])
])
RUST_MODULES=`echo $RUST_MODULES`
RUST_MODOBJS=
AS_IF([test -n "$RUST_MODULES"], [
  RUST_MODOBJS=Modules/_rust_modules.o
  dnl Add what Rust's standard library needs, less what LIBS already has
  dnl and libc (which the compiler driver always links).  On macOS
  dnl "-framework NAME" is one item in two words.
  py_rust_framework=
  for py_rust_lib in $RUST_NATIVE_LIBS; do
    AS_IF([test -n "$py_rust_framework"],
      [py_rust_lib="$py_rust_framework $py_rust_lib"
       py_rust_framework=],
      [test "$py_rust_lib" = -framework],
      [py_rust_framework=$py_rust_lib
       continue])
    AS_CASE([" $LIBS "],
      [*" $py_rust_lib "*], [],
      [AS_VAR_IF([py_rust_lib], [-lc], [], [AS_VAR_APPEND([LIBS], [" $py_rust_lib"])])])
  done
])
AC_SUBST([WITH_RUST])
AC_SUBST([RUST_TARGET])
dnl cargo's per-target variables (CARGO_TARGET_<TRIPLE>_LINKER) name the
dnl target in upper case with underscores.
AC_SUBST([RUST_TARGET_VARIABLE],
  [`echo "$RUST_TARGET" | tr 'abcdefghijklmnopqrstuvwxyz.-' 'ABCDEFGHIJKLMNOPQRSTUVWXYZ__'`])
AC_SUBST([RUST_OBJECT_FORMAT])
AC_SUBST([RUST_CLANG_FLAGS])
AC_SUBST([RUST_SANITIZER_FLAGS])
AC_SUBST([CARGO_PROFILE])
AC_SUBST([RUST_MODULES])
AC_SUBST([RUST_MODOBJS])
])
