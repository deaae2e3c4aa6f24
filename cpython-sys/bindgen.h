/* What cpython-sys binds: the C API that extension modules see.
 *
 * bindgen-cli reads this file with the build's pyconfig.h and the tree's
 * Include/ on its include path (Tools/cargo/rust.mk), so the bindings
 * always match the interpreter they are linked into.
 */
#include "Python.h"
