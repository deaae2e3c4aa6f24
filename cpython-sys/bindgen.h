/* What cpython-sys binds: the C API that extension modules see.
 *
 * bindgen-cli reads this file with the build's pyconfig.h and the tree's
 * Include/ on its include path (Tools/cargo/rust.mk), so the bindings
 * always match the interpreter they are linked into.
 */
#include "Python.h"

/* The values of macros that expand to casts, which bindgen cannot
 * evaluate, as enumerators, which it can: src/inline.rs takes them from
 * here rather than restating each release's numbers. */
#ifndef Py_GIL_DISABLED
enum {
    _PyRust_IMMORTAL_REFCNT = _Py_IMMORTAL_REFCNT,
};
#endif
