# Tools/cargo/rust.mk: build rules for the standard library modules written
# in Rust (configure --with-rust).  The Makefile includes this file after
# the variables configure set: WITH_RUST, CARGO, RUSTC, BINDGEN, OBJCOPY,
# RUST_TARGET, RUST_TARGET_VARIABLE, RUST_OBJECT_FORMAT, RUST_CLANG_FLAGS,
# RUST_SANITIZER_FLAGS, LIBCLANG_PATH, CARGO_PROFILE, RUST_MODULES and
# RUST_MODOBJS.
#
# 1. bindgen-cli generates cpython-sys's bindings from this build's
#    pyconfig.h and the tree's Include/.
# 2. One `cargo build --offline --locked` builds every Rust module that
#    configure enabled (RUST_MODULES, the static library's features) into
#    one static library (one copy of Rust's std).
# 3. A partial link keeps what the PyInit functions reach and makes every
#    other symbol local (objcopy for ELF, ld -r for Mach-O): RUST_MODOBJS is an ordinary object file in
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

# bindgen's options, shared with PCbuild/rust.targets.
BINDGEN_FLAGS_FILE= $(srcdir)/cpython-sys/bindgen.flags
BINDGEN_FLAGS=	$(shell sed '/^#/d' $(BINDGEN_FLAGS_FILE))

# rustc's flags from configure (-Zsanitizer=address with
# --with-address-sanitizer), ahead of any RUSTFLAGS of the environment.
# With --target, cargo gives RUSTFLAGS to the target's crates only, not to
# build scripts.  Set only when there are flags: a set RUSTFLAGS, even
# empty, makes cargo ignore the rustflags of its configuration files.
RUST_RUSTFLAGS=	$(if $(RUST_SANITIZER_FLAGS),RUSTFLAGS="$(RUST_SANITIZER_FLAGS) $$RUSTFLAGS")

# The flags are part of what the bindings depend on: hence rust.mk and the
# flags file.
$(RUST_BINDINGS): $(srcdir)/cpython-sys/bindgen.h $(BINDGEN_FLAGS_FILE) \
		$(srcdir)/Tools/cargo/rust.mk pyconfig.h $(PYTHON_HEADERS)
	@mkdir -p $(RUST_BUILD_DIR)
	$(if $(LIBCLANG_PATH),LIBCLANG_PATH='$(LIBCLANG_PATH)') \
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
# On macOS the Makefile exports MACOSX_DEPLOYMENT_TARGET (configure's
# choice) to every recipe, and rustc reads it: the Rust objects target the
# same macOS version as the C ones.
$(RUST_STATICLIB): $(RUST_BINDINGS) $(srcdir)/Cargo.toml $(srcdir)/Cargo.lock Makefile
	CPYTHON_SYS_BINDINGS=$(RUST_BINDINGS) \
	CPYTHON_SYS_PYCONFIG_H=$(abs_builddir)/pyconfig.h \
	RUSTC=$(RUSTC) $(RUST_RUSTFLAGS) \
	$(CARGO) build --offline --locked --manifest-path $(srcdir)/Cargo.toml \
		--package rust-modules --no-default-features --features '$(RUST_MODULES)' \
		--target $(RUST_TARGET) --profile $(CARGO_PROFILE) --target-dir $(CARGO_TARGET_DIR)
	touch $@

# Tools/cargo/link-rust-modules.sh makes the partial link for the target's
# object format (ELF or Mach-O); its comments say how each keeps only the
# PyInit functions global.
RUST_LINK_MODULES= $(srcdir)/Tools/cargo/link-rust-modules.sh
Modules/_rust_modules.o: $(RUST_STATICLIB) $(RUST_LINK_MODULES)
	CC='$(CC)' OBJCOPY='$(OBJCOPY)' $(SHELL) $(RUST_LINK_MODULES) \
		$(RUST_OBJECT_FORMAT) $@ $(RUST_STATICLIB) $(RUST_MODULES)

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

# A Rust module is registered by its line in Modules/Setup.stdlib.in
# ("NAME DIR/Cargo.toml").  After a change to those lines, this rewrites
# the files that follow from them (Tools/cargo/regen_rust_modules.py says
# which); then regenerate configure (autoconf) and rerun it.
.PHONY: regen-rust-modules
regen-rust-modules:
	CARGO='$(CARGO)' $(PYTHON_FOR_REGEN) $(srcdir)/Tools/cargo/regen_rust_modules.py $(srcdir)

.PHONY: clean-rust
clean-rust:
	-rm -rf $(RUST_BUILD_DIR) Modules/_rust_modules.o Modules/_rust_modules.o.tmp

clean: clean-rust
