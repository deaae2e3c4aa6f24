# Tools/cargo/rust.mk: build rules for the standard library modules written
# in Rust (configure --with-rust).  The Makefile includes this file after
# the variables configure set: WITH_RUST, CARGO, RUSTC, BINDGEN, OBJCOPY,
# RUST_TARGET, RUST_TARGET_VARIABLE, RUST_CLANG_FLAGS, RUST_SANITIZER_FLAGS,
# CARGO_PROFILE, RUST_MODULES and RUST_MODOBJS.
#
# 1. bindgen-cli generates cpython-sys's bindings from this build's
#    pyconfig.h and the tree's Include/.
# 2. One `cargo build --offline --locked` builds every Rust module into one
#    static library (one copy of Rust's std).
# 3. A partial link keeps what the PyInit functions reach and objcopy makes
#    every other symbol local: RUST_MODOBJS is an ordinary object file in
#    MODOBJS, so it is linked into libpython and the interpreter like the C
#    modules, and exports nothing but PyInit_<module>.
#
# Cargo writes a make dependency file next to the library; including it
# means a no-op make runs no cargo at all, and a changed .rs file (or
# header, through the bindings) rebuilds the library and relinks.

RUST_BUILD_DIR=	$(abs_builddir)/build/rust
RUST_BINDINGS=	$(RUST_BUILD_DIR)/cpython_sys_bindings.rs
CARGO_TARGET_DIR= $(RUST_BUILD_DIR)/target
RUST_STATICLIB=	$(CARGO_TARGET_DIR)/$(RUST_TARGET)/$(CARGO_PROFILE)/libcpython_rust_modules.a
RUST_PYINIT=	$(RUST_MODULES:%=PyInit_%)

# What cpython-sys binds: the API extension modules see, plus the METH_*
# flags.  --use-core keeps the bindings free of std.  The functions that
# take a va_list are left out: stable Rust cannot make one, and its layout
# differs per target (an array of a struct on x86-64, a struct on aarch64,
# which Rust's FFI lint rejects).
BINDGEN_FLAGS=	--use-core --ctypes-prefix core::ffi --no-doc-comments \
		--allowlist-function '_?Py.*' --allowlist-type '_?Py.*' \
		--allowlist-var '_?Py.*|PY_.*|METH_.*' \
		--blocklist-function '.*FormatV|.*_Va[A-Z].*|PyOS_vsnprintf'

# rustc's flags from configure (-Zsanitizer=address with
# --with-address-sanitizer), ahead of any RUSTFLAGS of the environment.
# With --target, cargo gives RUSTFLAGS to the target's crates only, not to
# build scripts.  Set only when there are flags: a set RUSTFLAGS, even
# empty, makes cargo ignore the rustflags of its configuration files.
RUST_RUSTFLAGS=	$(if $(RUST_SANITIZER_FLAGS),RUSTFLAGS="$(RUST_SANITIZER_FLAGS) $$RUSTFLAGS")

# The flags above are part of what the bindings depend on: hence rust.mk.
$(RUST_BINDINGS): $(srcdir)/cpython-sys/bindgen.h $(srcdir)/Tools/cargo/rust.mk \
		pyconfig.h $(PYTHON_HEADERS)
	@mkdir -p $(RUST_BUILD_DIR)
	$(BINDGEN) $(srcdir)/cpython-sys/bindgen.h $(BINDGEN_FLAGS) -o $@.tmp \
		-- $(PY_CPPFLAGS) $(RUST_CLANG_FLAGS)
	mv $@.tmp $@

-include $(RUST_STATICLIB:.a=.d)

# A Rust source that the dependency file names but that was since renamed
# or deleted must not stop make: it counts as changed, and cargo decides.
%.rs: ;

# The Makefile records the configuration (profile, target, tools), so a
# reconfigure rebuilds; cargo then decides what actually changed, and the
# touch keeps make from asking again when nothing did.
$(RUST_STATICLIB): $(RUST_BINDINGS) $(srcdir)/Cargo.toml $(srcdir)/Cargo.lock Makefile
	CPYTHON_SYS_BINDINGS=$(RUST_BINDINGS) \
	CPYTHON_SYS_PYCONFIG_H=$(abs_builddir)/pyconfig.h \
	RUSTC=$(RUSTC) $(RUST_RUSTFLAGS) \
	$(CARGO) build --offline --locked --manifest-path $(srcdir)/Cargo.toml \
		--package rust-modules --target $(RUST_TARGET) \
		--profile $(CARGO_PROFILE) --target-dir $(CARGO_TARGET_DIR)
	touch $@

# Without LTO, the objects of Rust's std carry LLVM bitcode (.llvmbc) that
# the partial link concatenates; ar's LLVM plugin then fails to read it
# ("LLVM ERROR: Invalid encoding") and no linker needs it.
Modules/_rust_modules.o: $(RUST_STATICLIB)
	$(CC) -nostdlib -r -Wl,--gc-sections $(RUST_PYINIT:%=-Wl,-u,%) \
		-o $@.tmp $(RUST_STATICLIB)
	$(OBJCOPY) $(RUST_PYINIT:%=--keep-global-symbol=%) \
		--remove-section=.llvmbc --remove-section=.llvmcmd $@.tmp $@
	rm -f $@.tmp

# Test programs are linked by the C compiler of this build (a cross
# compiler, or CC="gcc -m32"), through a script because cargo takes a
# linker as one program, without arguments.
RUST_LINKER=	$(RUST_BUILD_DIR)/linker
$(RUST_LINKER): Makefile
	@mkdir -p $(RUST_BUILD_DIR)
	printf '#!/bin/sh\nexec %s "$$@"\n' '$(CC)' >$@.tmp
	chmod +x $@.tmp
	mv $@.tmp $@

# `cargo test`: the bindgen layout tests against this build's headers, and
# the Rust unit tests.  For a target this machine cannot run, set cargo's
# CARGO_TARGET_<TRIPLE>_RUNNER to an emulator (e.g. qemu-aarch64-static).
# Doc-tests are left out (the crates' documentation has no examples): cargo
# would run them with the rustdoc on PATH, which need not match $(RUSTC)
# or have the target's standard library.
.PHONY: rust-test
rust-test: $(RUST_BINDINGS) $(RUST_LINKER)
	CPYTHON_SYS_BINDINGS=$(RUST_BINDINGS) \
	CPYTHON_SYS_PYCONFIG_H=$(abs_builddir)/pyconfig.h \
	RUSTC=$(RUSTC) $(RUST_RUSTFLAGS) \
	CARGO_TARGET_$(RUST_TARGET_VARIABLE)_LINKER=$(RUST_LINKER) \
	$(CARGO) test --offline --locked --manifest-path $(srcdir)/Cargo.toml \
		--workspace --lib --tests --target $(RUST_TARGET) --target-dir $(CARGO_TARGET_DIR)

.PHONY: clean-rust
clean-rust:
	-rm -rf $(RUST_BUILD_DIR) Modules/_rust_modules.o Modules/_rust_modules.o.tmp

clean: clean-rust
