//! `_testrust`: exercises what the safe layer gives a Rust module and
//! `_base64` does not use, for `Lib/test/test__testrust.py`, as `_testcapi`
//! does for the C API.  It is a test module: built only with the test
//! modules, and not in `sys.stdlib_module_names`.

#![deny(unsafe_code)]

use cpython_api::{Borrowed, MethodDef, PyResult, Python};

cpython_api::function! {
    /// Return greeting, a comma, name and punctuation.
    fn greet(py, name: String, /, greeting: String = "Hello", *, punctuation: String = "!")
        -> PyResult<'py, String>
    {
        Ok(format!("{greeting}, {name}{punctuation}"))
    }
}

cpython_api::function! {
    /// Return a + b.
    fn add(py, a: i64, b: i64 = 1) -> PyResult<'py, i64> {
        a.checked_add(b).ok_or_else(|| {
            py.raise(cpython_api::Exception::OverflowError, "sum does not fit 64 bits")
        })
    }
}

cpython_api::function! {
    /// Panic with message: a bug in a Rust function, which the caller sees
    /// as SystemError.
    fn panic_with(py, message: String) -> PyResult<'py, ()> {
        panic!("{message}")
    }
}

static METHODS: [MethodDef; 4] = [
    MethodDef::function::<greet>(),
    MethodDef::function::<add>(),
    MethodDef::function::<panic_with>(),
    MethodDef::END,
];

fn exec<'py>(_py: Python<'py>, _module: Borrowed<'_, 'py>) -> PyResult<'py, ()> {
    Ok(())
}

cpython_api::module! {
    name: "_testrust",
    doc: c"Tests of the safe layer for Rust modules.",
    methods: &METHODS,
    exec: exec,
}
