//! `METH_FASTCALL | METH_KEYWORDS` argument binding.
//!
//! A call that binds the way calling the Python function would (each
//! keyword an exact `str` naming a parameter once, no extra positional
//! argument, every required parameter given) is bound here.  Any other
//! call goes to the Python function (see [`crate::module`]), which raises
//! the interpreter's own error for it, or binds a keyword that is a `str`
//! subclass by calling its `__eq__`, as the interpreter does.

use core::ptr::NonNull;

use cpython_sys as ffi;

use crate::error::PyResult;
use crate::module::RawCall;
use crate::object::{Borrowed, Bound};
use crate::python::Python;

/// How a parameter may be passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    /// `def f(x)`: by position or by keyword.
    PositionalOrKeyword,
    /// `def f(*, x)`: by keyword only.
    KeywordOnly,
}

/// One parameter of a Python-level signature.
#[derive(Clone, Copy, Debug)]
pub struct Param {
    pub name: &'static str,
    pub kind: ParamKind,
    /// False when the Python function gives the parameter a default.
    pub required: bool,
}

impl Param {
    /// `x`
    pub const fn required(name: &'static str) -> Self {
        Param {
            name,
            kind: ParamKind::PositionalOrKeyword,
            required: true,
        }
    }

    /// `x=default`
    pub const fn optional(name: &'static str) -> Self {
        Param {
            name,
            kind: ParamKind::PositionalOrKeyword,
            required: false,
        }
    }

    /// `*, x=default`
    pub const fn keyword_only(name: &'static str) -> Self {
        Param {
            name,
            kind: ParamKind::KeywordOnly,
            required: false,
        }
    }
}

/// The most parameters a function may declare.
pub const MAX_PARAMS: usize = 8;

/// The arguments of one call, one slot per declared parameter: `None` where
/// the caller left a parameter to its default.
pub struct Args<'a, 'py> {
    values: [Option<Borrowed<'a, 'py>>; MAX_PARAMS],
    call: RawCall,
    name: &'static core::ffi::CStr,
    py: Python<'py>,
}

impl<'a, 'py> Args<'a, 'py> {
    /// The argument bound to parameter `index` (in declaration order).
    pub fn get(&self, index: usize) -> Option<Borrowed<'a, 'py>> {
        self.values.get(index).copied().flatten()
    }

    /// Call the Python function this one replaces with the same arguments
    /// (see [`crate::module`]): for inputs the Rust code does not model.
    pub fn call_python(&self) -> PyResult<'py, Bound<'py>> {
        // SAFETY: `call` holds the pointers of the call in progress, which
        // outlives these Args ('a).
        unsafe { self.call.call_python(self.py, self.name) }
    }
}

/// Bind a vectorcall's arguments to `params`, or `None` if the binding
/// rules of Python functions would not bind them that simply (see the
/// module documentation).
///
/// # Safety
///
/// The thread is attached (`py`); `call.args` holds `call.nargs`
/// positional arguments followed by one value per name in `call.kwnames`
/// (NULL or a tuple of str), all live for `'a`, as CPython passes them to
/// a `METH_FASTCALL | METH_KEYWORDS` function.
pub(crate) unsafe fn bind<'a, 'py>(
    py: Python<'py>,
    name: &'static core::ffi::CStr,
    params: &[Param],
    call: RawCall,
) -> Option<Args<'a, 'py>> {
    assert!(params.len() <= MAX_PARAMS, "too many parameters");
    let mut values: [Option<Borrowed<'a, 'py>>; MAX_PARAMS] = [None; MAX_PARAMS];
    let given = usize::try_from(call.nargs).unwrap_or(0);
    let positional = params
        .iter()
        .take_while(|param| param.kind == ParamKind::PositionalOrKeyword)
        .count();
    if given > positional {
        return None;
    }
    // SAFETY: `args[i]` for i < nargs + len(kwnames) is a live argument
    // (contract).
    let arg = |i: usize| unsafe { borrowed(py, *call.args.add(i)) };
    for (slot, i) in values.iter_mut().zip(0..given) {
        *slot = Some(arg(i));
    }
    if !call.kwnames.is_null() {
        // SAFETY: kwnames is a live tuple (contract).
        let count = unsafe { ffi::PyTuple_GET_SIZE(call.kwnames) };
        for k in 0..usize::try_from(count).unwrap_or(0) {
            // SAFETY: k is in bounds of the tuple, whose items are live.
            let keyword = unsafe { borrowed(py, ffi::PyTuple_GET_ITEM(call.kwnames, k as _)) };
            if !keyword.is_exact_str() {
                return None;
            }
            let index = params
                .iter()
                .position(|param| keyword.str_equals(param.name))?;
            if values[index].is_some() {
                return None;
            }
            // The k-th keyword's value follows the positional arguments.
            values[index] = Some(arg(given + k));
        }
    }
    let missing = params
        .iter()
        .zip(&values)
        .any(|(param, value)| param.required && value.is_none());
    if missing {
        return None;
    }
    Some(Args {
        values,
        call,
        name,
        py,
    })
}

/// # Safety
///
/// `ptr` is a live object for `'a` and the thread is attached.
unsafe fn borrowed<'a, 'py>(py: Python<'py>, ptr: *mut ffi::PyObject) -> Borrowed<'a, 'py> {
    let ptr = NonNull::new(ptr).expect("CPython passed a NULL argument");
    // SAFETY: forwarded from the caller.
    unsafe { Borrowed::from_ptr(py, ptr) }
}
