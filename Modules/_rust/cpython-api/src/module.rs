//! Module definitions (multi-phase init) and the call trampoline.

use core::any::Any;
use core::cell::UnsafeCell;
use core::ffi::{CStr, c_int};
use core::ptr;
use std::panic::{self, AssertUnwindSafe};

use cpython_sys as ffi;

use crate::args::{self, Args, Param};
use crate::error::{Exception, PyResult};
use crate::object::Bound;
use crate::python::Python;

/// A module-level function with a Python signature.
///
/// Implemented by a zero-sized type per function; [`MethodDef::function`]
/// turns it into a method-table entry whose C entry point is this crate's
/// trampoline, so module crates need no `unsafe` code.
pub trait Function {
    /// The function's `__name__` (also its `__qualname__`).
    const NAME: &'static CStr;
    /// `__doc__`, starting with the `name(...)\n--\n\n` signature line that
    /// `inspect.signature` reads.
    const DOC: &'static CStr;
    /// The parameters, as in the Python `def` this function mirrors.
    const PARAMS: &'static [Param];

    fn call<'py>(py: Python<'py>, args: &Args<'_, 'py>) -> PyResult<Bound<'py>>;
}

/// The C entry point of every [`Function`].
///
/// # Safety
///
/// Called only by CPython, as a `METH_FASTCALL | METH_KEYWORDS` function:
/// attached thread, vectorcall argument conventions.
unsafe extern "C" fn fastcall<F: Function>(
    _module: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargs: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: CPython calls module functions with the thread attached, for
    // the duration of this call.
    let py = unsafe { Python::assume_attached() };
    let name = F::NAME.to_str().unwrap_or("<function>");
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: the vectorcall arguments as CPython passed them.
        let args = unsafe { args::parse(py, name, F::PARAMS, args, nargs, kwnames)? };
        F::call(py, &args)
    }));
    match outcome {
        Ok(Ok(result)) => result.into_ptr(),
        Ok(Err(_)) => ptr::null_mut(),
        // A panic is a bug in the module: report it as the interpreter
        // reports its own internal errors, never unwind into C.
        Err(payload) => {
            py.raise(
                Exception::SystemError,
                &panic_message(name, payload.as_ref()),
            );
            ptr::null_mut()
        }
    }
}

/// The `SystemError` message for a panic in function `name`.
fn panic_message(name: &str, payload: &(dyn Any + Send)) -> String {
    let reason = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("unknown cause");
    format!("{name}() panicked: {reason}")
}

/// One entry of a module's method table.
#[repr(transparent)]
pub struct MethodDef(ffi::PyMethodDef);

// SAFETY: the entry is never written after construction and points only to
// 'static data (C strings and functions), so sharing it is sound.
unsafe impl Sync for MethodDef {}

type FastcallKeywords = unsafe extern "C" fn(
    *mut ffi::PyObject,
    *const *mut ffi::PyObject,
    ffi::Py_ssize_t,
    *mut ffi::PyObject,
) -> *mut ffi::PyObject;

impl MethodDef {
    /// The entry for `F`.
    pub const fn function<F: Function>() -> Self {
        let entry: FastcallKeywords = fastcall::<F>;
        MethodDef(ffi::PyMethodDef {
            ml_name: F::NAME.as_ptr(),
            // SAFETY: C function pointers have one representation; CPython
            // casts ml_meth back to this signature because of ml_flags, as
            // every METH_FASTCALL | METH_KEYWORDS function in C relies on.
            ml_meth: Some(unsafe {
                core::mem::transmute::<
                    FastcallKeywords,
                    unsafe extern "C" fn(
                        *mut ffi::PyObject,
                        *mut ffi::PyObject,
                    ) -> *mut ffi::PyObject,
                >(entry)
            }),
            ml_flags: (ffi::METH_FASTCALL | ffi::METH_KEYWORDS) as c_int,
            ml_doc: F::DOC.as_ptr(),
        })
    }

    /// The sentinel that ends a method table.
    pub const END: Self = MethodDef(ffi::PyMethodDef {
        ml_name: ptr::null(),
        ml_meth: None,
        ml_flags: 0,
        ml_doc: ptr::null(),
    });
}

/// The slots of a module without state or exec function: importable in
/// every interpreter (each with its own GIL) and, in a free-threaded build,
/// without re-enabling the GIL.  Such a module keeps no Python objects
/// between calls, so it is safe to call concurrently by construction.
struct Slots([ffi::PyModuleDef_Slot; 3]);

// SAFETY: never written; the values are integer tags, not pointers to data.
unsafe impl Sync for Slots {}

static STATELESS_SLOTS: Slots = Slots([
    ffi::PyModuleDef_Slot {
        slot: ffi::Py_mod_multiple_interpreters as c_int,
        value: ffi::Py_MOD_PER_INTERPRETER_GIL_SUPPORTED,
    },
    ffi::PyModuleDef_Slot {
        slot: ffi::Py_mod_gil as c_int,
        value: ffi::Py_MOD_GIL_NOT_USED,
    },
    ffi::PyModuleDef_Slot {
        slot: 0,
        value: ptr::null_mut(),
    },
]);

/// A stateless module's definition, for multi-phase initialization.
pub struct ModuleDef(UnsafeCell<ffi::PyModuleDef>);

// SAFETY: CPython writes only the definition's object header, once, in
// PyModuleDef_Init while importing (serialized by the import machinery, as
// for every statically allocated PyModuleDef in C); Rust never touches it.
unsafe impl Sync for ModuleDef {}

impl ModuleDef {
    /// `methods` must end with [`MethodDef::END`].
    pub const fn new(
        name: &'static CStr,
        doc: &'static CStr,
        methods: &'static [MethodDef],
    ) -> Self {
        assert!(
            !methods.is_empty() && methods[methods.len() - 1].0.ml_name.is_null(),
            "method table must end with MethodDef::END"
        );
        let mut def = ffi::PyModuleDef_EMPTY;
        def.m_name = name.as_ptr();
        def.m_doc = doc.as_ptr();
        // CPython only reads the table; the cast is the C API's signature.
        def.m_methods = methods.as_ptr().cast::<ffi::PyMethodDef>().cast_mut();
        def.m_slots = STATELESS_SLOTS.0.as_ptr().cast_mut();
        ModuleDef(UnsafeCell::new(def))
    }

    /// What the module's `PyInit_<name>` returns.
    ///
    /// # Safety
    ///
    /// Only for `PyInit_<name>`, which the import system calls with the
    /// thread attached.
    pub unsafe fn init(&'static self) -> *mut ffi::PyObject {
        // SAFETY: attached (contract); the definition is static and valid.
        unsafe { ffi::PyModuleDef_Init(self.0.get()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panic_messages() {
        let silent = |f: fn()| {
            let hook = panic::take_hook();
            panic::set_hook(Box::new(|_| {}));
            let payload = panic::catch_unwind(f).unwrap_err();
            panic::set_hook(hook);
            payload
        };
        let literal = silent(|| panic!("index out of range"));
        assert_eq!(
            panic_message("f", literal.as_ref()),
            "f() panicked: index out of range"
        );
        let formatted = silent(|| panic!("bad length {}", 3));
        assert_eq!(
            panic_message("g", formatted.as_ref()),
            "g() panicked: bad length 3"
        );
        let other = silent(|| std::panic::panic_any(7_u8));
        assert_eq!(
            panic_message("h", other.as_ref()),
            "h() panicked: unknown cause"
        );
    }
}
