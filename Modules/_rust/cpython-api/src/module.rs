//! Module definitions (multi-phase init), the call trampoline, and the
//! fallback to the Python code a module accelerates.
//!
//! # The fallback
//!
//! A Rust function replaces a Python function, and must behave exactly
//! like it.  For the inputs it models (exact built-in types, flags that
//! are `None`, `bool` or `int`), it does the work itself.  For the rest
//! (subclasses whose methods the Python code would call, objects whose
//! `__bool__` or `__contains__` the Python code would call a number of
//! times at given moments, a call that does not match the signature) it
//! calls the Python function itself, with the same arguments, through
//! [`Args::call_python`]: the result, the error, and every callback are
//! then those of the Python code by construction.  The Python module
//! registers its functions in the Rust module's `_fallbacks` mapping
//! (name to function) before it imports the Rust ones.

use core::any::Any;
use core::cell::UnsafeCell;
use core::ffi::{CStr, c_int, c_void};
use core::ptr;
use std::panic::{self, AssertUnwindSafe};

use cpython_sys as ffi;

use crate::args::{self, Args, Param};
use crate::error::{Exception, PyResult};
use crate::object::{Borrowed, Bound};
use crate::python::Python;

/// A module-level function with a Python signature.
///
/// Implemented by a zero-sized type per function; [`MethodDef::function`]
/// turns it into a method-table entry whose C entry point is this crate's
/// trampoline, so module crates need no `unsafe` code.
pub trait Function {
    /// The function's `__name__` (also its `__qualname__`), and its key in
    /// the module's `_fallbacks`.
    const NAME: &'static CStr;
    /// `__doc__`, starting with the `name(...)\n--\n\n` signature line that
    /// `inspect.signature` reads.
    const DOC: &'static CStr;
    /// The parameters, as in the Python `def` this function mirrors.
    const PARAMS: &'static [Param];

    /// Whether the function replaces a Python function, registered in the
    /// module's `_fallbacks`, which then takes every call that does not
    /// bind simply (see [`crate::args`]).  A function without one raises
    /// `TypeError` for such a call, as a C function does.
    const HAS_FALLBACK: bool = true;

    /// The call, once the arguments are bound; it may hand the call to the
    /// Python function with [`Args::call_python`].
    fn call<'py>(py: Python<'py>, args: &Args<'_, 'py>) -> PyResult<'py, Bound<'py>>;
}

/// The attribute of a Rust module that maps each function's name to the
/// Python function it replaces.
pub const FALLBACKS_ATTRIBUTE: &CStr = c"_fallbacks";

/// The arguments of one vectorcall, as CPython passed them.
#[derive(Clone, Copy)]
pub(crate) struct RawCall {
    pub(crate) module: *mut ffi::PyObject,
    pub(crate) args: *const *mut ffi::PyObject,
    pub(crate) nargs: ffi::Py_ssize_t,
    pub(crate) kwnames: *mut ffi::PyObject,
}

impl RawCall {
    /// `module._fallbacks[name](*args, **kwargs)`.
    ///
    /// # Safety
    ///
    /// The pointers are those of a call in progress on this thread: a live
    /// module, `nargs` live arguments followed by one per name in
    /// `kwnames` (NULL or a tuple of names).
    pub(crate) unsafe fn call_python<'py>(
        self,
        py: Python<'py>,
        name: &CStr,
    ) -> PyResult<'py, Bound<'py>> {
        // SAFETY: the module is live for the call (contract).
        let module = unsafe { Borrowed::from_ptr(py, ptr::NonNull::new_unchecked(self.module)) };
        let Some(fallbacks) = module.getattr_optional(FALLBACKS_ATTRIBUTE)? else {
            return Err(py.raise_message(Exception::RuntimeError, |message| {
                message
                    .text(name.to_str().unwrap_or("function"))?
                    .text("() needs the Python function it replaces, which the Python module registers in ")?
                    .str(&module.getattr(c"__name__")?)?
                    .text("._fallbacks when it is imported")
            }));
        };
        let key = py.new_str(name.to_str().unwrap_or_default())?;
        let function = fallbacks.as_borrowed().get_item(&key)?;
        // A METH_FASTCALL function receives nargs without the
        // PY_VECTORCALL_ARGUMENTS_OFFSET flag, so none is passed on.
        let nargs = ffi::size_t::try_from(self.nargs).unwrap_or(0);
        // SAFETY: attached; a live callable; the argument vector and the
        // names are this call's (contract); a new reference or NULL with
        // an exception set.
        unsafe {
            Bound::from_owned(
                py,
                ffi::PyObject_Vectorcall(function.as_ptr(), self.args, nargs, self.kwnames),
            )
        }
    }
}

/// The C entry point of every [`Function`].
///
/// # Safety
///
/// Called only by CPython, as a `METH_FASTCALL | METH_KEYWORDS` function:
/// attached thread, vectorcall argument conventions.
unsafe extern "C" fn fastcall<F: Function>(
    module: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargs: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: CPython calls module functions with the thread attached, for
    // the duration of this call.
    let py = unsafe { Python::assume_attached() };
    let call = RawCall {
        module,
        args,
        nargs,
        kwnames,
    };
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        if !F::HAS_FALLBACK {
            // SAFETY: the vectorcall arguments as CPython passed them.
            let args = unsafe { args::bind_or_raise(py, F::NAME, F::PARAMS, call) }?;
            return F::call(py, &args);
        }
        // SAFETY: as above.
        match unsafe { args::bind(py, F::NAME, F::PARAMS, call) } {
            Some(args) => F::call(py, &args),
            // Only the Python function can raise the binding error that
            // calling it raises, with its own "Did you mean" suggestion.
            // SAFETY: as above.
            None => unsafe { call.call_python(py, F::NAME) },
        }
    }));
    match outcome {
        Ok(Ok(result)) => result.into_ptr(),
        Ok(Err(_)) => ptr::null_mut(),
        // A panic is a bug in the module: report it as the interpreter
        // reports its own internal errors, never unwind into C.
        Err(payload) => {
            let name = F::NAME.to_str().unwrap_or("<function>");
            let _raised = py.raise(
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
            ml_doc: docstring(F::DOC).as_ptr(),
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

/// What a module runs when it is executed (each import of it), attached.
pub type ExecFn = for<'py> fn(Python<'py>, Borrowed<'_, 'py>) -> PyResult<'py, ()>;

/// The `Py_mod_exec` slot of every [`ModuleDef`]: runs the definition's
/// [`ExecFn`].
///
/// # Safety
///
/// Called only by CPython, attached, with a module created from a
/// [`ModuleDef`].
unsafe extern "C" fn exec(module: *mut ffi::PyObject) -> c_int {
    // SAFETY: CPython executes modules with the thread attached.
    let py = unsafe { Python::assume_attached() };
    // SAFETY: attached; a live module.  Its definition is the PyModuleDef
    // at the start of a `#[repr(C)]` ModuleDef (the only kind of
    // definition whose slots hold this function), which is 'static.
    let definition = unsafe { &*ffi::PyModule_GetDef(module).cast::<ModuleDef>() };
    // SAFETY: a live module, for the duration of this call.
    let module = unsafe { Borrowed::from_ptr(py, ptr::NonNull::new_unchecked(module)) };
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| (definition.exec)(py, module)));
    match outcome {
        Ok(Ok(())) => 0,
        Ok(Err(_)) => -1,
        Err(payload) => {
            let _raised = py.raise(
                Exception::SystemError,
                &panic_message("module exec", payload.as_ref()),
            );
            -1
        }
    }
}

/// `doc`, or an empty docstring in a build without docstrings (what
/// `PyDoc_STR` gives C code there).
const fn docstring(doc: &'static CStr) -> &'static CStr {
    if cpython_sys::WITH_DOC_STRINGS {
        doc
    } else {
        c""
    }
}

/// The slots of every module: an exec function, and the declarations that
/// the module keeps no per-interpreter state and needs no GIL (each
/// interpreter may have its own GIL, and a free-threaded build keeps the
/// GIL disabled).  The module objects hold no Rust state; what exec
/// computes is process-wide and the same for every interpreter.
struct Slots([ffi::PyModuleDef_Slot; 4]);

// SAFETY: never written; the values are integer tags and a function.
unsafe impl Sync for Slots {}

static SLOTS: Slots = Slots([
    ffi::PyModuleDef_Slot {
        slot: ffi::Py_mod_exec as c_int,
        value: exec as *mut c_void,
    },
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

/// A module's definition, for multi-phase initialization.
#[repr(C)]
pub struct ModuleDef {
    /// First, so that the address of the C definition CPython is given is
    /// that of the whole ModuleDef (see [`exec`]).
    def: UnsafeCell<ffi::PyModuleDef>,
    exec: ExecFn,
}

// SAFETY: CPython writes only the definition's object header, once, in
// PyModuleDef_Init while importing (serialized by the import machinery, as
// for every statically allocated PyModuleDef in C); Rust never touches it,
// and `exec` is a plain function pointer.
unsafe impl Sync for ModuleDef {}

impl ModuleDef {
    /// `methods` must end with [`MethodDef::END`]; `exec` runs at each
    /// import.
    pub const fn new(
        name: &'static CStr,
        doc: &'static CStr,
        methods: &'static [MethodDef],
        exec: ExecFn,
    ) -> Self {
        assert!(
            !methods.is_empty() && methods[methods.len() - 1].0.ml_name.is_null(),
            "method table must end with MethodDef::END"
        );
        let mut def = ffi::PyModuleDef_EMPTY;
        def.m_name = name.as_ptr();
        def.m_doc = docstring(doc).as_ptr();
        // CPython only reads the table; the cast is the C API's signature.
        def.m_methods = methods.as_ptr().cast::<ffi::PyMethodDef>().cast_mut();
        def.m_slots = SLOTS.0.as_ptr().cast_mut();
        ModuleDef {
            def: UnsafeCell::new(def),
            exec,
        }
    }

    /// What the module's `PyInit_<name>` returns.
    ///
    /// # Safety
    ///
    /// Only for `PyInit_<name>`, which the import system calls with the
    /// thread attached.
    #[doc(hidden)]
    pub unsafe fn init(&'static self) -> ModuleInit {
        // SAFETY: attached (contract); the definition is static and valid.
        ModuleInit(unsafe { ffi::PyModuleDef_Init(self.def.get()) })
    }
}

/// What a `PyInit_<name>` function returns to the import system: the
/// module's definition, for multi-phase initialization.
#[repr(transparent)]
pub struct ModuleInit(*mut ffi::PyObject);

/// Defines a module: its [`ModuleDef`] and its entry point
/// `PyInit_<name>`, the one symbol of the module the interpreter links
/// (`Tools/cargo/rust.mk` keeps it global; `makesetup` registers it as a
/// built-in module from the module's line in `Modules/Setup.stdlib.in`).
///
/// ```ignore
/// cpython_api::module! {
///     name: "_spam",
///     doc: c"Spam for CPython.",
///     methods: &METHODS,
///     exec: exec,
/// }
/// ```
///
/// `methods` is a `'static` table ending with [`MethodDef::END`]; `exec`
/// an [`ExecFn`].
#[macro_export]
macro_rules! module {
    (
        name: $name:literal,
        doc: $doc:expr,
        methods: $methods:expr,
        exec: $exec:expr $(,)?
    ) => {
        const _: () = {
            static MODULE: $crate::ModuleDef = $crate::ModuleDef::new(
                match ::core::ffi::CStr::from_bytes_with_nul(
                    ::core::concat!($name, "\0").as_bytes(),
                ) {
                    Ok(name) => name,
                    Err(_) => ::core::panic!("a module name has no NUL character"),
                },
                $doc,
                $methods,
                $exec,
            );

            // The name the import system looks for; nothing else of the
            // module is reachable from C.
            #[allow(unsafe_code)]
            #[unsafe(export_name = ::core::concat!("PyInit_", $name))]
            extern "C" fn init() -> $crate::module::ModuleInit {
                // SAFETY: only the import system calls a PyInit function,
                // with the thread attached.
                unsafe { MODULE.init() }
            }
        };
    };
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
