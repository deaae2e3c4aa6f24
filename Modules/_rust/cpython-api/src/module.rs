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

use core::any::{Any, TypeId};
use core::cell::UnsafeCell;
use core::ffi::{CStr, c_int, c_void};
use core::mem::size_of;
use core::ptr;
use std::panic::{self, AssertUnwindSafe};

use cpython_sys as ffi;

use crate::args::{self, Args, Param};
use crate::class::{Visit, Visited};
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

/// What a call's first C argument is.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Receiver {
    Module,
    Instance,
}

/// The arguments of one vectorcall, as CPython passed them.
#[derive(Clone, Copy)]
pub(crate) struct RawCall {
    /// The module of a function, the instance of a method.
    pub(crate) module: *mut ffi::PyObject,
    pub(crate) receiver: Receiver,
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
        receiver: Receiver::Module,
        args,
        nargs,
        kwnames,
    };
    to_c(py, F::NAME, || {
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
    })
}

/// Run the body of the C entry point of `name` and return what C expects:
/// the new reference, or NULL with the exception set.  A panic is a bug in
/// the module: it becomes the `SystemError` the interpreter raises for its
/// own internal errors, and never unwinds into C.
pub(crate) fn to_c<'py>(
    py: Python<'py>,
    name: &CStr,
    body: impl FnOnce() -> PyResult<'py, Bound<'py>>,
) -> *mut ffi::PyObject {
    match panic::catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(result)) => result.into_ptr(),
        Ok(Err(_)) => ptr::null_mut(),
        Err(payload) => {
            panic_error(py, name, payload.as_ref());
            ptr::null_mut()
        }
    }
}

/// Raise the `SystemError` for a panic in function `name`.
pub(crate) fn panic_error(py: Python<'_>, name: &CStr, payload: &(dyn Any + Send)) {
    let name = name.to_str().unwrap_or("<function>");
    let _raised = py.raise(Exception::SystemError, &panic_message(name, payload));
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

pub(crate) type FastcallKeywords = unsafe extern "C" fn(
    *mut ffi::PyObject,
    *const *mut ffi::PyObject,
    ffi::Py_ssize_t,
    *mut ffi::PyObject,
) -> *mut ffi::PyObject;

/// A method-table entry for a `METH_FASTCALL | METH_KEYWORDS` entry point.
pub(crate) const fn fastcall_entry(
    name: &'static CStr,
    doc: &'static CStr,
    entry: FastcallKeywords,
) -> ffi::PyMethodDef {
    ffi::PyMethodDef {
        ml_name: name.as_ptr(),
        // SAFETY: C function pointers have one representation; CPython
        // casts ml_meth back to this signature because of ml_flags, as
        // every METH_FASTCALL | METH_KEYWORDS function in C relies on.
        ml_meth: Some(unsafe {
            core::mem::transmute::<
                FastcallKeywords,
                unsafe extern "C" fn(*mut ffi::PyObject, *mut ffi::PyObject) -> *mut ffi::PyObject,
            >(entry)
        }),
        ml_flags: (ffi::METH_FASTCALL | ffi::METH_KEYWORDS) as c_int,
        ml_doc: docstring(doc).as_ptr(),
    }
}

impl MethodDef {
    /// The entry for `F`.
    pub const fn function<F: Function>() -> Self {
        MethodDef(fastcall_entry(F::NAME, F::DOC, fastcall::<F>))
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
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        (definition.new_state)(py, module)?;
        (definition.exec)(py, module)
    }));
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
pub(crate) const fn docstring(doc: &'static CStr) -> &'static CStr {
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

/// What a module keeps per module object (per interpreter), instead of
/// globals: made when the module is executed, before its exec function
/// runs, and dropped when the module is cleared or freed.  Functions reach
/// it through [`Args::module_state`], methods through their type's module
/// ([`crate::Instance::module_state`]).
pub trait ModuleState: Sized + Send + Sync + 'static {
    fn new<'py>(py: Python<'py>, module: Borrowed<'_, 'py>) -> PyResult<'py, Self>;

    /// Visit every object the state holds, for the garbage collector.
    fn traverse(&self, visit: &mut Visit<'_>) -> Result<(), Visited>;
}

/// No state.
impl ModuleState for () {
    fn new<'py>(_py: Python<'py>, _module: Borrowed<'_, 'py>) -> PyResult<'py, Self> {
        Ok(())
    }

    fn traverse(&self, _visit: &mut Visit<'_>) -> Result<(), Visited> {
        Ok(())
    }
}

/// A module's definition, for multi-phase initialization.
#[repr(C)]
pub struct ModuleDef {
    /// First, so that the address of the C definition CPython is given is
    /// that of the whole ModuleDef (see [`exec`]).
    def: UnsafeCell<ffi::PyModuleDef>,
    exec: ExecFn,
    /// `TypeId::of` the state's type.
    state_type: fn() -> TypeId,
    /// Makes the state and stores it in the module.
    new_state: for<'py> fn(Python<'py>, Borrowed<'_, 'py>) -> PyResult<'py, ()>,
}

// SAFETY: CPython writes only the definition's object header, once, in
// PyModuleDef_Init while importing (serialized by the import machinery, as
// for every statically allocated PyModuleDef in C); Rust never touches it,
// and `exec` is a plain function pointer.
unsafe impl Sync for ModuleDef {}

impl ModuleDef {
    /// `methods` must end with [`MethodDef::END`]; `exec` runs at each
    /// import, once the module's state `S` is made.
    pub const fn new<S: ModuleState>(
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
        if size_of::<S>() != 0 {
            def.m_size = size_of::<StateSlot<S>>() as ffi::Py_ssize_t;
            def.m_traverse = Some(traverse_state::<S>);
            def.m_clear = Some(clear_state::<S>);
            def.m_free = Some(free_state::<S>);
        }
        ModuleDef {
            def: UnsafeCell::new(def),
            exec,
            state_type: TypeId::of::<S>,
            new_state: new_state::<S>,
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

/// What a module object's state memory holds: zeroed (`None`) until the
/// state is made.
type StateSlot<S> = Option<Box<S>>;

/// The module's state slot.
///
/// # Safety
///
/// `module` is a live module made from a [`ModuleDef`] whose state type is
/// `S` (not zero-sized), and the thread is attached.
unsafe fn state_slot<S>(module: *mut ffi::PyObject) -> *mut StateSlot<S> {
    // SAFETY: a module whose definition has m_size > 0 has that much
    // state memory, zeroed at creation (contract).
    unsafe { ffi::PyModule_GetState(module).cast::<StateSlot<S>>() }
}

fn new_state<'py, S: ModuleState>(py: Python<'py>, module: Borrowed<'_, 'py>) -> PyResult<'py, ()> {
    let state = S::new(py, module)?;
    if size_of::<S>() != 0 {
        // SAFETY: called by `exec` on a module of a ModuleDef of S.  A
        // module is executed once; were the slot filled, the old state
        // would be dropped here.
        unsafe { *state_slot::<S>(module.as_ptr()) = Some(Box::new(state)) };
    }
    Ok(())
}

/// `m_traverse`.
///
/// # Safety
///
/// Called by the garbage collector with a module of a ModuleDef of S.
unsafe extern "C" fn traverse_state<S: ModuleState>(
    module: *mut ffi::PyObject,
    visit: ffi::visitproc,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: contract; the state is only replaced by exec and clear,
    // which the collector does not run alongside.
    let Some(state) = (unsafe { &*state_slot::<S>(module) }) else {
        return 0;
    };
    let mut visit = Visit::new(visit, arg);
    match state.traverse(&mut visit) {
        Ok(()) => 0,
        Err(visited) => visited.0,
    }
}

/// `m_clear`: drop the state (which drops its references).
///
/// # Safety
///
/// Called by CPython with a module of a ModuleDef of S, attached.
unsafe extern "C" fn clear_state<S: ModuleState>(module: *mut ffi::PyObject) -> c_int {
    // SAFETY: contract.  The module is unreachable or being finalized, so
    // no function of it is running with a reference to the state.
    drop(unsafe { (*state_slot::<S>(module)).take() });
    0
}

/// `m_free`.
///
/// # Safety
///
/// As for [`clear_state`].
unsafe extern "C" fn free_state<S: ModuleState>(module: *mut c_void) {
    // SAFETY: contract.
    unsafe { clear_state::<S>(module.cast()) };
}

/// The state of `module`, if it is a module made from a [`ModuleDef`]
/// whose state type is `S`.
///
/// # Safety
///
/// `module` is a live module for `'a`, and the thread is attached.
pub(crate) unsafe fn module_state<'a, 'py, S: ModuleState>(
    py: Python<'py>,
    module: *mut ffi::PyObject,
) -> PyResult<'py, &'a S> {
    // SAFETY: a live module (contract); NULL with an exception set if it
    // has no definition.
    let def = unsafe { ffi::PyModule_GetDef(module) };
    if def.is_null() {
        // SAFETY: PyModule_GetDef set it.
        return Err(unsafe { py.fetch_set() });
    }
    // SAFETY: a live definition; every ModuleDef's slots are SLOTS, so
    // one that has them is a ModuleDef (repr(C), the PyModuleDef first).
    let ours = unsafe { (*def).m_slots } == SLOTS.0.as_ptr().cast_mut();
    // SAFETY: as just said.
    if !ours || (unsafe { &*def.cast::<ModuleDef>() }.state_type)() != TypeId::of::<S>() {
        return Err(py.raise(
            Exception::SystemError,
            "module state of another type requested",
        ));
    }
    if size_of::<S>() == 0 {
        // SAFETY: any aligned non-null pointer is a valid reference to a
        // zero-sized value.
        return Ok(unsafe { ptr::NonNull::<S>::dangling().as_ref() });
    }
    // SAFETY: a module of a ModuleDef of S (checked), alive for 'a, whose
    // state is dropped only when it is cleared (see clear_state).
    match unsafe { &*state_slot::<S>(module) } {
        Some(state) => Ok(state),
        None => Err(py.raise(
            Exception::SystemError,
            "the module's state is not made yet or already cleared",
        )),
    }
}

/// The state of `module` (what its exec function uses; functions and
/// methods declare a `#[module]` parameter instead).
pub fn state<'a, 'py, S: ModuleState>(module: Borrowed<'a, 'py>) -> PyResult<'py, &'a S> {
    // SAFETY: attached (the token); a live object for 'a, which
    // module_state checks to be a module of the right kind.
    unsafe { module_state(module.py(), module.as_ptr()) }
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
/// an [`ExecFn`].  `state: Type,` after `doc` gives the module a
/// [`ModuleState`].
#[macro_export]
macro_rules! module {
    (
        name: $name:literal,
        doc: $doc:expr,
        methods: $methods:expr,
        exec: $exec:expr $(,)?
    ) => {
        $crate::module! {
            name: $name,
            doc: $doc,
            state: (),
            methods: $methods,
            exec: $exec,
        }
    };
    (
        name: $name:literal,
        doc: $doc:expr,
        state: $state:ty,
        methods: $methods:expr,
        exec: $exec:expr $(,)?
    ) => {
        const _: () = {
            static MODULE: $crate::ModuleDef = $crate::ModuleDef::new::<$state>(
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
