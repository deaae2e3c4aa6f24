//! Functions declared once: [`function!`](crate::function!) turns a Rust
//! function with Python parameters into a [`Function`](crate::Function)
//! whose arguments are bound by name, converted, and handed to the body
//! as named values; its `__text_signature__` and docstring come from the
//! same declaration.
//!
//! ```ignore
//! cpython_api::function! {
//!     /// Return "greeting, name" followed by punctuation.
//!     pub fn greet(py, name: String, /, greeting: String = "Hello",
//!                  *, punctuation: String = "!") -> PyResult<'py, String> {
//!         Ok(format!("{greeting}, {name}{punctuation}"))
//!     }
//! }
//! ```
//!
//! Parameters before `/` are positional-only, those after `*`
//! keyword-only; a parameter with a default (a literal, which is also its
//! text in the signature) is optional.  The macro checks at compile time
//! that there are at most [`MAX_PARAMS`](crate::args::MAX_PARAMS), that
//! their names differ and that no positional parameter without a default
//! follows one with a default.  A call that does not bind raises the
//! `TypeError` a C function's Argument Clinic parser raises.
//!
//! Two marked parameters come first and are not Python parameters:
//! `#[this] name: &Instance<Class>` makes the declaration a [`Method`] of
//! `Class` (see [`crate::class`]), and `#[module] name: &State` gives the
//! body the module's [`ModuleState`].
//!
//! [`Method`]: crate::Method
//! [`ModuleState`]: crate::ModuleState

use core::ffi::CStr;

use crate::args::{MAX_PARAMS, Param, ParamKind};
use crate::error::{Exception, PyResult};
use crate::object::{Borrowed, Bound};
use crate::python::Python;

/// Where an argument goes, for the message of a conversion error.
pub struct ArgContext {
    pub function: &'static CStr,
    pub param: &'static Param,
    /// The parameter's position, from 1.
    pub position: usize,
}

impl ArgContext {
    /// `TypeError: f() argument 'x' must be str, not int`, as Argument
    /// Clinic's `_PyArg_BadArgument` words it (a positional-only parameter
    /// is named by its position).
    pub fn wrong_type<'py>(&self, value: Borrowed<'_, 'py>, expected: &str) -> crate::PyErr<'py> {
        let py = value.py();
        let function = self.function.to_str().unwrap_or("function");
        let argument = match self.param.kind {
            ParamKind::PositionalOnly => format!("argument {}", self.position),
            _ => format!("argument '{}'", self.param.name),
        };
        match value.type_name() {
            Ok(name) => py.raise_message(Exception::TypeError, |message| {
                message
                    .text(&format!("{function}() {argument} must be {expected}, not "))?
                    .str(&name)
            }),
            Err(err) => err,
        }
    }
}

/// A parameter type of [`function!`](crate::function!): how an argument
/// becomes the value the body sees.
pub trait FromArg<'a, 'py>: Sized {
    fn from_arg(value: Borrowed<'a, 'py>, context: &ArgContext) -> PyResult<'py, Self>;
}

/// Any object, as it is.
impl<'a, 'py> FromArg<'a, 'py> for Borrowed<'a, 'py> {
    fn from_arg(value: Borrowed<'a, 'py>, _context: &ArgContext) -> PyResult<'py, Self> {
        Ok(value)
    }
}

/// A `str` (or subclass), as UTF-8; a lone surrogate raises
/// `UnicodeEncodeError`, as `PyUnicode_AsUTF8AndSize` does.
impl<'a, 'py> FromArg<'a, 'py> for String {
    fn from_arg(value: Borrowed<'a, 'py>, context: &ArgContext) -> PyResult<'py, Self> {
        if !value.is_str() {
            return Err(context.wrong_type(value, "str"));
        }
        value.to_utf8()
    }
}

/// An `int` (or subclass) that fits `i64`, else `OverflowError`.
impl<'a, 'py> FromArg<'a, 'py> for i64 {
    fn from_arg(value: Borrowed<'a, 'py>, context: &ArgContext) -> PyResult<'py, Self> {
        if !value.is_int() {
            return Err(context.wrong_type(value, "int"));
        }
        value.as_i64()
    }
}

/// The value of a parameter left to its default: the declaration's
/// literal, converted to the parameter's type.
pub trait FromDefault<D> {
    fn from_default(default: D) -> Self;
}

impl FromDefault<&'static str> for String {
    fn from_default(default: &'static str) -> Self {
        default.into()
    }
}

impl FromDefault<i64> for i64 {
    fn from_default(default: i64) -> Self {
        default
    }
}

/// What a function's body may return.
pub trait ToObject<'py> {
    fn to_object(self, py: Python<'py>) -> PyResult<'py, Bound<'py>>;
}

impl<'py> ToObject<'py> for Bound<'py> {
    fn to_object(self, _py: Python<'py>) -> PyResult<'py, Bound<'py>> {
        Ok(self)
    }
}

impl<'py> ToObject<'py> for String {
    fn to_object(self, py: Python<'py>) -> PyResult<'py, Bound<'py>> {
        py.new_str(&self)
    }
}

impl<'py> ToObject<'py> for i64 {
    fn to_object(self, py: Python<'py>) -> PyResult<'py, Bound<'py>> {
        py.new_int(self)
    }
}

/// `None`.
impl<'py> ToObject<'py> for () {
    fn to_object(self, py: Python<'py>) -> PyResult<'py, Bound<'py>> {
        Ok(py.none())
    }
}

/// The compile-time checks of a parameter list (see the module
/// documentation); a failed check stops the build with its message.
pub const fn check_params(params: &[Param]) {
    assert!(
        params.len() <= MAX_PARAMS,
        "a function takes at most MAX_PARAMS parameters"
    );
    let mut i = 0;
    let mut seen_optional = false;
    while i < params.len() {
        let param = &params[i];
        let positional = !matches!(param.kind, ParamKind::KeywordOnly);
        if positional && param.required {
            assert!(
                !seen_optional,
                "a positional parameter without a default follows one with a default"
            );
        }
        seen_optional |= positional && !param.required;
        let mut j = 0;
        while j < i {
            assert!(
                !str_equal(params[j].name, param.name),
                "two parameters have the same name"
            );
            j += 1;
        }
        i += 1;
    }
}

const fn str_equal(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The length, with its NUL, of the docstring [`docstring`] makes.
pub const fn docstring_len(signature: &str, lines: &[&str]) -> usize {
    if !cpython_sys::WITH_DOC_STRINGS {
        return 1;
    }
    let mut len = signature.len() + "\n--\n\n".len();
    let mut i = 0;
    while i < lines.len() {
        len += doc_line(lines[i]).len() + if i + 1 < lines.len() { 1 } else { 0 };
        i += 1;
    }
    len + 1
}

/// A C docstring from a signature and the lines of a doc comment: the
/// `name(...)\n--\n\n` line that `__text_signature__` is read from, then
/// the lines without the space `///` leaves.  Empty, as `PyDoc_STR` makes
/// it, when the build has no docstrings.
pub const fn docstring<const N: usize>(signature: &str, lines: &[&str]) -> [u8; N] {
    let mut out = [0; N];
    if !cpython_sys::WITH_DOC_STRINGS {
        return out;
    }
    let mut at = copy(&mut out, 0, signature.as_bytes());
    at = copy(&mut out, at, b"\n--\n\n");
    let mut i = 0;
    while i < lines.len() {
        at = copy(&mut out, at, doc_line(lines[i]).as_bytes());
        if i + 1 < lines.len() {
            at = copy(&mut out, at, b"\n");
        }
        i += 1;
    }
    assert!(at + 1 == N, "docstring_len and docstring disagree");
    out
}

/// A `///` line without its first space.
const fn doc_line(line: &str) -> &str {
    match line.as_bytes() {
        [b' ', rest @ ..] => match core::str::from_utf8(rest) {
            Ok(rest) => rest,
            Err(_) => line,
        },
        _ => line,
    }
}

const fn copy<const N: usize>(out: &mut [u8; N], at: usize, bytes: &[u8]) -> usize {
    let mut i = 0;
    while i < bytes.len() {
        out[at + i] = bytes[i];
        i += 1;
    }
    at + bytes.len()
}

/// A `&CStr` of a docstring made by [`docstring`].
pub const fn as_cstr(bytes: &[u8]) -> &CStr {
    match CStr::from_bytes_with_nul(bytes) {
        Ok(text) => text,
        Err(_) => panic!("a docstring has no NUL character"),
    }
}

/// Declares a function, or with a `#[this]` parameter a method (see
/// [`crate::function`]).
#[macro_export]
macro_rules! function {
    (
        $(#[doc = $doc:literal])*
        $vis:vis fn $name:ident($py:ident $(, $($params:tt)*)?) -> $ret:ty $body:block
    ) => {
        $crate::__function_params! {
            meta: [$vis, $name, $py, ($ret), $body, [$($doc),*]]
            receiver: [] state: []
            kind: PositionalOrKeyword
            params: []
            signature: []
            rest: [$($($params)*)?]
        }
    };
}

/// The parameter list of [`function!`], a token at a time.
#[doc(hidden)]
#[macro_export]
macro_rules! __function_params {
    // `#[this] name: &Instance<Class>`, first: a method of Class.
    (
        meta: $meta:tt receiver: [] state: $state:tt kind: $kind:ident
        params: [] signature: []
        rest: [#[this] $this:ident : & $instance:ident < $class:ty > $(, $($rest:tt)*)?]
    ) => {
        $crate::__function_params! {
            meta: $meta receiver: [$this ($instance<$class>) $class] state: $state kind: $kind
            params: [] signature: []
            rest: [$($($rest)*)?]
        }
    };
    // `#[module] name: &State`: the module's state (not a Python parameter).
    (
        meta: $meta:tt receiver: $receiver:tt state: [] kind: $kind:ident
        params: [] signature: []
        rest: [#[module] $state:ident : & $state_type:ty $(, $($rest:tt)*)?]
    ) => {
        $crate::__function_params! {
            meta: $meta receiver: $receiver state: [$state ($state_type)] kind: $kind
            params: [] signature: []
            rest: [$($($rest)*)?]
        }
    };
    // `/`: every parameter so far is positional-only.
    (
        meta: $meta:tt receiver: $receiver:tt state: $state:tt kind: $kind:ident
        params: [$({$k:ident $n:ident ($t:ty) [$($d:tt)*]})*]
        signature: [$($sig:expr),*]
        rest: [/ $(, $($rest:tt)*)?]
    ) => {
        $crate::__function_params! {
            meta: $meta receiver: $receiver state: $state kind: $kind
            params: [$({PositionalOnly $n ($t) [$($d)*]})*]
            signature: [$($sig,)* "/"]
            rest: [$($($rest)*)?]
        }
    };
    // `*`: the parameters that follow are keyword-only.
    (
        meta: $meta:tt receiver: $receiver:tt state: $state:tt kind: $kind:ident
        params: $params:tt
        signature: [$($sig:expr),*]
        rest: [* $(, $($rest:tt)*)?]
    ) => {
        $crate::__function_params! {
            meta: $meta receiver: $receiver state: $state kind: KeywordOnly
            params: $params
            signature: [$($sig,)* "*"]
            rest: [$($($rest)*)?]
        }
    };
    // `name: Type = default`
    (
        meta: $meta:tt receiver: $receiver:tt state: $state:tt kind: $kind:ident
        params: [$($params:tt)*]
        signature: [$($sig:expr),*]
        rest: [$n:ident : $t:ty = $d:literal $(, $($rest:tt)*)?]
    ) => {
        $crate::__function_params! {
            meta: $meta receiver: $receiver state: $state kind: $kind
            params: [$($params)* {$kind $n ($t) [$d]}]
            signature: [$($sig,)* ::core::concat!(::core::stringify!($n), "=", ::core::stringify!($d))]
            rest: [$($($rest)*)?]
        }
    };
    // `name: Type`
    (
        meta: $meta:tt receiver: $receiver:tt state: $state:tt kind: $kind:ident
        params: [$($params:tt)*]
        signature: [$($sig:expr),*]
        rest: [$n:ident : $t:ty $(, $($rest:tt)*)?]
    ) => {
        $crate::__function_params! {
            meta: $meta receiver: $receiver state: $state kind: $kind
            params: [$($params)* {$kind $n ($t) []}]
            signature: [$($sig,)* ::core::stringify!($n)]
            rest: [$($($rest)*)?]
        }
    };
    // A module-level function.
    (
        meta: [$vis:vis, $name:ident, $py:ident, ($ret:ty), $body:block, [$($doc:literal),*]]
        receiver: [] state: [$($state:ident ($state_type:ty))?] kind: $kind:ident
        params: [$({$k:ident $n:ident ($t:ty) [$($d:tt)*]})*]
        signature: [$($sig:expr),*]
        rest: []
    ) => {
        // Braced, so that the name is not also a value that would match
        // a local variable of the same name in patterns.
        #[allow(non_camel_case_types)]
        $vis struct $name {}

        impl $crate::Function for $name {
            $crate::__function_consts!($name, "$module", [$($sig),*], [$($doc),*],
                                       [$({$k $n [$($d)*]})*]);
            const HAS_FALLBACK: bool = false;

            fn call<'py>(
                py: $crate::Python<'py>,
                args: &$crate::Args<'_, 'py>,
            ) -> $crate::PyResult<'py, $crate::Bound<'py>> {
                $crate::__function_body!($crate::Function, py, args,
                    [$({$n ($t) [$($d)*]})*], [$($state ($state_type))?], $py, ($ret), $body)
            }
        }
    };
    // A method of a class.
    (
        meta: [$vis:vis, $name:ident, $py:ident, ($ret:ty), $body:block, [$($doc:literal),*]]
        receiver: [$this:ident ($this_type:ty) $class:ty]
        state: [$($state:ident ($state_type:ty))?] kind: $kind:ident
        params: [$({$k:ident $n:ident ($t:ty) [$($d:tt)*]})*]
        signature: [$($sig:expr),*]
        rest: []
    ) => {
        // Braced, so that the name is not also a value that would match
        // a local variable of the same name in patterns.
        #[allow(non_camel_case_types)]
        $vis struct $name {}

        impl $crate::Method for $name {
            type Class = $class;
            $crate::__function_consts!($name, "$self", [$($sig),*], [$($doc),*],
                                       [$({$k $n [$($d)*]})*]);

            fn call<'py>(
                py: $crate::Python<'py>,
                this: &$crate::Instance<$class>,
                args: &$crate::Args<'_, 'py>,
            ) -> $crate::PyResult<'py, $crate::Bound<'py>> {
                let $this: &$this_type = this;
                $crate::__function_body!($crate::Method, py, args,
                    [$({$n ($t) [$($d)*]})*], [$($state ($state_type))?], $py, ($ret), $body)
            }
        }
    };
}

/// NAME, DOC and PARAMS of a [`function!`].
#[doc(hidden)]
#[macro_export]
macro_rules! __function_consts {
    ($name:ident, $receiver:literal, [$($sig:expr),*], [$($doc:literal),*],
     [$({$k:ident $n:ident [$($d:tt)*]})*]) => {
        const NAME: &'static ::core::ffi::CStr = $crate::function::as_cstr(
            ::core::concat!(::core::stringify!($name), "\0").as_bytes(),
        );
        const DOC: &'static ::core::ffi::CStr = {
            const SIGNATURE: &str = ::core::concat!(
                ::core::stringify!($name), "(", $receiver $(, ", ", $sig)*, ")"
            );
            const LINES: &[&str] = &[$($doc),*];
            const LEN: usize = $crate::function::docstring_len(SIGNATURE, LINES);
            const BYTES: [u8; LEN] = $crate::function::docstring::<LEN>(SIGNATURE, LINES);
            $crate::function::as_cstr(&BYTES)
        };
        const PARAMS: &'static [$crate::Param] = {
            const PARAMS: &[$crate::Param] = &[$($crate::Param {
                name: ::core::stringify!($n),
                kind: $crate::ParamKind::$k,
                required: $crate::__function_required!([$($d)*]),
            }),*];
            $crate::function::check_params(PARAMS);
            PARAMS
        };
    };
}

/// The body of a [`function!`]'s `call`: each argument converted and
/// bound to its name, then the declared body.
#[doc(hidden)]
#[macro_export]
macro_rules! __function_body {
    ($trait:path, $args_py:ident, $args:ident, [$({$n:ident ($t:ty) [$($d:tt)*]})*],
     [$($state:ident ($state_type:ty))?], $py:ident, ($ret:ty), $body:block) => {{
        let mut values = $args.values();
        let mut position = 0;
        $(
            position += 1;
            let $n: $t = match values.next().flatten() {
                Some(value) => $crate::function::FromArg::from_arg(
                    value,
                    &$crate::function::ArgContext {
                        function: <Self as $trait>::NAME,
                        param: &<Self as $trait>::PARAMS[position - 1],
                        position,
                    },
                )?,
                None => $crate::__function_default!([$($d)*]),
            };
        )*
        let _ = (&mut values, position);
        $(let $state: &$state_type = $args.module_state::<$state_type>()?;)?
        // The declaration names the token whether or not the body uses it.
        #[allow(unused_variables)]
        let $py = $args_py;
        let result: $ret = (move || $body)();
        $crate::function::ToObject::to_object(result?, $args_py)
    }};
}

#[doc(hidden)]
#[macro_export]
macro_rules! __function_required {
    ([]) => {
        true
    };
    ([$d:literal]) => {
        false
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __function_default {
    ([]) => {
        ::core::unreachable!("binding gives every required parameter a value")
    };
    ([$d:literal]) => {
        $crate::function::FromDefault::from_default($d)
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docstrings() {
        const SIGNATURE: &str = "f($module, a, /)";
        const LINES: &[&str] = &[" First line.", "", " Second, indented:", "     x"];
        const LEN: usize = docstring_len(SIGNATURE, LINES);
        let bytes = docstring::<LEN>(SIGNATURE, LINES);
        if cpython_sys::WITH_DOC_STRINGS {
            assert_eq!(
                &bytes[..],
                b"f($module, a, /)\n--\n\nFirst line.\n\nSecond, indented:\n    x\0"
            );
        } else {
            assert_eq!(&bytes[..], b"\0");
        }
        assert_eq!(as_cstr(&bytes).to_bytes().len(), LEN - 1);
    }

    #[test]
    fn valid_params() {
        let keyword_only_required = Param {
            name: "c",
            kind: ParamKind::KeywordOnly,
            required: true,
        };
        check_params(&[
            Param::required("a"),
            Param::optional("b"),
            keyword_only_required,
        ]);
    }

    #[test]
    #[should_panic(expected = "two parameters have the same name")]
    fn duplicate_names() {
        check_params(&[Param::required("a"), Param::keyword_only("a")]);
    }

    #[test]
    #[should_panic(
        expected = "a positional parameter without a default follows one with a default"
    )]
    fn required_after_optional() {
        check_params(&[Param::optional("a"), Param::required("b")]);
    }

    #[test]
    #[should_panic(expected = "a function takes at most MAX_PARAMS parameters")]
    fn too_many_params() {
        check_params(&[Param::optional("a"); MAX_PARAMS + 1]);
    }
}
