//! `METH_FASTCALL | METH_KEYWORDS` argument parsing.
//!
//! The Rust functions replace Python functions, so a wrong call must fail
//! exactly as calling the Python function fails.  This follows the binding
//! rules of `Python/ceval.c` (`initialize_locals`) in their order: keywords
//! first (non-string, unknown with the interpreter's "Did you mean"
//! suggestion, given twice), then too many positional arguments, then
//! missing positional and missing keyword-only ones, with the same wording.
//! The wording itself is built by pure functions, tested by `cargo test`.

use core::ptr::NonNull;

use cpython_sys as ffi;

use crate::error::{Exception, PyErr, PyResult};
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
}

impl<'a, 'py> Args<'a, 'py> {
    /// The argument bound to parameter `index` (in declaration order).
    pub fn get(&self, index: usize) -> Option<Borrowed<'a, 'py>> {
        self.values.get(index).copied().flatten()
    }
}

/// Bind a vectorcall argument vector to `params`.
///
/// # Safety
///
/// The thread is attached (`py`); `args` holds `nargs` positional arguments
/// followed by one value per name in `kwnames` (NULL or a tuple of str), all
/// live for `'a`, as CPython passes them to a `METH_FASTCALL |
/// METH_KEYWORDS` function.
pub(crate) unsafe fn parse<'a, 'py>(
    py: Python<'py>,
    function: &str,
    params: &[Param],
    args: *const *mut ffi::PyObject,
    nargs: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject,
) -> PyResult<Args<'a, 'py>> {
    assert!(params.len() <= MAX_PARAMS, "too many parameters");
    let mut values: [Option<Borrowed<'a, 'py>>; MAX_PARAMS] = [None; MAX_PARAMS];
    let given = usize::try_from(nargs).unwrap_or(0);
    let positional = params
        .iter()
        .take_while(|param| param.kind == ParamKind::PositionalOrKeyword)
        .count();
    // SAFETY: `args[i]` for i < nargs is a live argument (contract).
    let arg = |i: usize| unsafe { borrowed(py, *args.add(i)) };
    for (slot, i) in values.iter_mut().zip(0..given.min(positional)) {
        *slot = Some(arg(i));
    }
    if !kwnames.is_null() {
        // SAFETY: kwnames is a live tuple (contract).
        let count = unsafe { ffi::PyTuple_GET_SIZE(kwnames) };
        for k in 0..count {
            // SAFETY: k is in bounds of the tuple.
            let keyword = unsafe { ffi::PyTuple_GET_ITEM(kwnames, k) };
            // SAFETY: items of a live tuple are live objects.
            if !unsafe { ffi::PyUnicode_Check(keyword) } {
                return Err(py.raise(
                    Exception::TypeError,
                    &format!("{function}() keywords must be strings"),
                ));
            }
            let Some(index) = params.iter().position(|param| {
                // SAFETY: keyword is a live str; the name is valid UTF-8
                // of the given length; this call never raises.
                unsafe {
                    ffi::PyUnicode_EqualToUTF8AndSize(
                        keyword,
                        param.name.as_ptr().cast(),
                        param.name.len() as ffi::Py_ssize_t,
                    ) == 1
                }
            }) else {
                // SAFETY: keyword is a live str (checked above).
                return Err(unsafe { unexpected_keyword(py, function, params, keyword) });
            };
            if values[index].is_some() {
                return Err(py.raise(
                    Exception::TypeError,
                    &multiple_values_message(function, params[index].name),
                ));
            }
            // The k-th keyword's value follows the positional arguments.
            values[index] = Some(arg(given + k as usize));
        }
    }
    if given > positional {
        let kwonly_given = values[positional..params.len()].iter().flatten().count();
        let defaults = params[..positional].iter().filter(|p| !p.required).count();
        return Err(py.raise(
            Exception::TypeError,
            &too_many_positional_message(function, positional, defaults, given, kwonly_given),
        ));
    }
    for kind in [ParamKind::PositionalOrKeyword, ParamKind::KeywordOnly] {
        let missing: Vec<&str> = params
            .iter()
            .zip(&values)
            .filter(|(param, value)| param.kind == kind && param.required && value.is_none())
            .map(|(param, _)| param.name)
            .collect();
        if !missing.is_empty() {
            return Err(py.raise(
                Exception::TypeError,
                &missing_message(function, kind, &missing),
            ));
        }
    }
    Ok(Args { values })
}

/// # Safety
///
/// `ptr` is a live object for `'a` and the thread is attached.
unsafe fn borrowed<'a, 'py>(py: Python<'py>, ptr: *mut ffi::PyObject) -> Borrowed<'a, 'py> {
    let ptr = NonNull::new(ptr).expect("CPython passed a NULL argument");
    // SAFETY: forwarded from the caller.
    unsafe { Borrowed::from_ptr(py, ptr) }
}

/// "f() got an unexpected keyword argument 'x'", with the interpreter's own
/// "Did you mean" suggestion when it has one.
///
/// # Safety
///
/// `keyword` is a live str and the thread is attached.
unsafe fn unexpected_keyword(
    py: Python<'_>,
    function: &str,
    params: &[Param],
    keyword: *mut ffi::PyObject,
) -> PyErr {
    let name = match py.new_str(function) {
        Ok(name) => name,
        Err(err) => return err,
    };
    let suggestion = suggest(py, params, keyword);
    // SAFETY: attached; the format's %U and %S arguments are live objects.
    unsafe {
        match &suggestion {
            Some(hint) => ffi::PyErr_Format(
                ffi::PyExc_TypeError,
                c"%U() got an unexpected keyword argument '%S'. Did you mean '%S'?".as_ptr(),
                name.as_ptr(),
                keyword,
                hint.as_ptr(),
            ),
            None => ffi::PyErr_Format(
                ffi::PyExc_TypeError,
                c"%U() got an unexpected keyword argument '%S'".as_ptr(),
                name.as_ptr(),
                keyword,
            ),
        };
        py.fetch_set()
    }
}

/// The interpreter's suggestion for a misspelled keyword, if any.
fn suggest<'py>(
    py: Python<'py>,
    params: &[Param],
    keyword: *mut ffi::PyObject,
) -> Option<Bound<'py>> {
    // SAFETY: attached; a new list or NULL with an exception set.
    let names = unsafe { Bound::from_owned(py, ffi::PyList_New(0)) }.ok()?;
    for param in params {
        let name = py.new_str(param.name).ok()?;
        // SAFETY: attached; both are live; the list takes its own reference.
        if unsafe { ffi::PyList_Append(names.as_ptr(), name.as_ptr()) } != 0 {
            return None;
        }
    }
    // SAFETY: attached; `names` is a list of str and `keyword` a live str;
    // the result is a new reference or NULL.
    unsafe { Bound::from_owned(py, ffi::_Py_CalculateSuggestions(names.as_ptr(), keyword)) }.ok()
}

/// `f() got multiple values for argument 'x'`
pub fn multiple_values_message(function: &str, param: &str) -> String {
    format!("{function}() got multiple values for argument '{param}'")
}

/// `f() takes 2 positional arguments but 3 were given`, in every variant of
/// ceval's `too_many_positional`.
pub fn too_many_positional_message(
    function: &str,
    positional: usize,
    defaults: usize,
    given: usize,
    kwonly_given: usize,
) -> String {
    let (signature, plural) = if defaults > 0 {
        (
            format!("from {} to {positional}", positional - defaults),
            true,
        )
    } else {
        (positional.to_string(), positional != 1)
    };
    let kwonly = if kwonly_given > 0 {
        format!(
            " positional argument{} (and {kwonly_given} keyword-only argument{})",
            if given != 1 { "s" } else { "" },
            if kwonly_given != 1 { "s" } else { "" },
        )
    } else {
        String::new()
    };
    format!(
        "{function}() takes {signature} positional argument{} but {given}{kwonly} {} given",
        if plural { "s" } else { "" },
        if given == 1 && kwonly_given == 0 {
            "was"
        } else {
            "were"
        },
    )
}

/// `f() missing 2 required positional arguments: 'a' and 'b'`, as ceval's
/// `format_missing` words it.
pub fn missing_message(function: &str, kind: ParamKind, names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("'{name}'")).collect();
    let list = match quoted.as_slice() {
        [one] => one.clone(),
        [first, second] => format!("{first} and {second}"),
        [head @ .., before_last, last] => format!("{}, {before_last}, and {last}", head.join(", ")),
        [] => String::new(),
    };
    let kind = match kind {
        ParamKind::PositionalOrKeyword => "positional",
        ParamKind::KeywordOnly => "keyword-only",
    };
    let plural = if names.len() == 1 { "" } else { "s" };
    format!(
        "{function}() missing {} required {kind} argument{plural}: {list}",
        names.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected strings are what CPython 3.13 prints for the equivalent
    // Python function (checked against `def` functions in the interpreter
    // by Lib/test/test__base64.py as well).
    #[test]
    fn too_many_positional_variants() {
        assert_eq!(
            too_many_positional_message("f", 1, 0, 2, 0),
            "f() takes 1 positional argument but 2 were given"
        );
        assert_eq!(
            too_many_positional_message("f", 2, 1, 3, 0),
            "f() takes from 1 to 2 positional arguments but 3 were given"
        );
        assert_eq!(
            too_many_positional_message("f", 0, 0, 1, 0),
            "f() takes 0 positional arguments but 1 was given"
        );
        assert_eq!(
            too_many_positional_message("f", 1, 0, 2, 1),
            "f() takes 1 positional argument but 2 positional arguments \
             (and 1 keyword-only argument) were given"
        );
        assert_eq!(
            too_many_positional_message("f", 0, 0, 1, 2),
            "f() takes 0 positional arguments but 1 positional argument \
             (and 2 keyword-only arguments) were given"
        );
    }

    #[test]
    fn missing_variants() {
        let kind = ParamKind::PositionalOrKeyword;
        assert_eq!(
            missing_message("f", kind, &["s"]),
            "f() missing 1 required positional argument: 's'"
        );
        assert_eq!(
            missing_message("f", kind, &["a", "b"]),
            "f() missing 2 required positional arguments: 'a' and 'b'"
        );
        assert_eq!(
            missing_message("f", ParamKind::KeywordOnly, &["a", "b", "c"]),
            "f() missing 3 required keyword-only arguments: 'a', 'b', and 'c'"
        );
    }

    #[test]
    fn multiple_values() {
        assert_eq!(
            multiple_values_message("b64encode", "s"),
            "b64encode() got multiple values for argument 's'"
        );
    }
}
