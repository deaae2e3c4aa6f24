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
//! keyword-only; a parameter with a default is optional.  The default is a
//! literal or one of `None`, `True` and `False`, and is also its text in
//! the signature.  A parameter of type `Option<T>` is `None` when the
//! caller left it to its default and `Some` of the converted argument
//! otherwise (an explicit `None` included), as Argument Clinic's `NULL`
//! C default tells the two apart; its default is then only text.
//!
//! The macro checks at compile time that there are at most
//! [`MAX_PARAMS`](crate::args::MAX_PARAMS), that their names differ and
//! that no positional parameter without a default follows one with a
//! default.  A call that does not bind raises the
//! `TypeError` a C function's Argument Clinic parser raises.
//!
//! Marked parameters come first and are not Python parameters:
//! `#[this] name: &Instance<Class>` makes the declaration a [`Method`] of
//! `Class` (see [`crate::class`]), `#[module] name: &State` gives the
//! body the module's [`ModuleState`], and `#[fallback] name: Fallback`
//! declares that the function replaces a Python function: a call that
//! does not bind simply goes to that function (see [`crate::args`]), and
//! the body may hand it any call it does not model with
//! [`Fallback::call`].
//!
//! The docstring is the doc comment's lines, or, with
//! `#[docstring(TEXT)]` in place of the doc comment, the `&str` constant
//! `TEXT` (for a text chosen at compile time, such as the docstring of the
//! replaced function in this CPython release).  Either way it follows the
//! signature line, which Argument Clinic's form gives `$module, /` or
//! `$self, /` when no parameter is positional-only.
//!
//! [`Method`]: crate::Method
//! [`ModuleState`]: crate::ModuleState

use core::ffi::CStr;

use crate::args::{Args, MAX_PARAMS, Param, ParamKind};
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

/// An optional argument as given (see the module documentation).
impl<'a, 'py, T: FromArg<'a, 'py>> FromArg<'a, 'py> for Option<T> {
    fn from_arg(value: Borrowed<'a, 'py>, context: &ArgContext) -> PyResult<'py, Self> {
        T::from_arg(value, context).map(Some)
    }
}

/// The value of a parameter left to its default: the declaration's
/// literal (or [`PyNone`], [`PyTrue`], [`PyFalse`]), converted to the
/// parameter's type.
pub trait FromDefault<D> {
    fn from_default(default: D) -> Self;
}

/// A default `None` in a declaration.
pub struct PyNone;
/// A default `True` in a declaration.
pub struct PyTrue;
/// A default `False` in a declaration.
pub struct PyFalse;

/// Left to its default, whatever the default is.
impl<T, D> FromDefault<D> for Option<T> {
    fn from_default(_default: D) -> Self {
        None
    }
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

/// The Python function that a function declared with `#[fallback]`
/// replaces.
pub struct Fallback<'c, 'a, 'py> {
    args: &'c Args<'a, 'py>,
}

impl<'c, 'a, 'py> Fallback<'c, 'a, 'py> {
    #[doc(hidden)]
    pub fn new(args: &'c Args<'a, 'py>) -> Self {
        Fallback { args }
    }

    /// The result of calling the Python function with this call's
    /// arguments (see [`Args::call_python`]).
    pub fn call(&self) -> PyResult<'py, Bound<'py>> {
        self.args.call_python()
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

/// What a docstring is made of (see [`docstring`]).
pub struct DocParts<'a> {
    /// The function's name.
    pub name: &'a str,
    /// `$module` or `$self`.
    pub receiver: &'a str,
    /// The signature's parameters, `/` and `*` included.
    pub params: &'a [&'a str],
    /// The text after the signature line, in lines.
    pub lines: &'a [&'a str],
    /// Whether the lines are a doc comment's, each with the space that
    /// `///` leaves before the text.
    pub doc_comment: bool,
}

/// The length, with its NUL, of the docstring [`docstring`] makes.
pub const fn docstring_len(parts: &DocParts) -> usize {
    if !cpython_sys::WITH_DOC_STRINGS {
        return 1;
    }
    render(&mut [], parts) + 1
}

/// A C docstring: the `name(receiver, ...)\n--\n\n` line that
/// `__text_signature__` is read from, then the lines.  Empty, as
/// `PyDoc_STR` makes it, when the build has no docstrings.
pub const fn docstring<const N: usize>(parts: &DocParts) -> [u8; N] {
    let mut out = [0; N];
    if !cpython_sys::WITH_DOC_STRINGS {
        return out;
    }
    let len = render(&mut out, parts);
    assert!(len + 1 == N, "docstring_len and docstring disagree");
    out
}

/// The docstring's text, written into `out` as far as it reaches; its
/// length.  Argument Clinic's form: a signature without positional-only
/// parameters has `/` right after the receiver.
const fn render(out: &mut [u8], parts: &DocParts) -> usize {
    let mut at = put(out, 0, parts.name.as_bytes());
    at = put(out, at, b"(");
    at = put(out, at, parts.receiver.as_bytes());
    let mut positional_only = false;
    let mut i = 0;
    while i < parts.params.len() {
        positional_only |= str_equal(parts.params[i], "/");
        i += 1;
    }
    if !positional_only {
        at = put(out, at, b", /");
    }
    i = 0;
    while i < parts.params.len() {
        at = put(out, at, b", ");
        at = put(out, at, parts.params[i].as_bytes());
        i += 1;
    }
    at = put(out, at, b")\n--\n\n");
    i = 0;
    while i < parts.lines.len() {
        let line = if parts.doc_comment {
            doc_line(parts.lines[i])
        } else {
            parts.lines[i]
        };
        at = put(out, at, line.as_bytes());
        if i + 1 < parts.lines.len() {
            at = put(out, at, b"\n");
        }
        i += 1;
    }
    at
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

/// `bytes` at `out[at..]`, as far as `out` reaches; the end's offset.
const fn put(out: &mut [u8], at: usize, bytes: &[u8]) -> usize {
    let mut i = 0;
    while i < bytes.len() && at + i < out.len() {
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
        #[docstring($text:expr)]
        $vis:vis fn $name:ident($py:ident $(, $($params:tt)*)?) -> $ret:ty $body:block
    ) => {
        $crate::__function_params! {
            meta: [$vis, $name, $py, ($ret), $body, [false, $text]]
            receiver: [] state: [] fallback: []
            kind: PositionalOrKeyword
            params: []
            signature: []
            rest: [$($($params)*)?]
        }
    };
    (
        $(#[doc = $doc:literal])*
        $vis:vis fn $name:ident($py:ident $(, $($params:tt)*)?) -> $ret:ty $body:block
    ) => {
        $crate::__function_params! {
            meta: [$vis, $name, $py, ($ret), $body, [true $(, $doc)*]]
            receiver: [] state: [] fallback: []
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
        meta: $meta:tt receiver: [] state: $state:tt fallback: $fallback:tt kind: $kind:ident
        params: [] signature: []
        rest: [#[this] $this:ident : & $instance:ident < $class:ty > $(, $($rest:tt)*)?]
    ) => {
        $crate::__function_params! {
            meta: $meta receiver: [$this ($instance<$class>) $class] state: $state
            fallback: $fallback kind: $kind
            params: [] signature: []
            rest: [$($($rest)*)?]
        }
    };
    // `#[module] name: &State`: the module's state.
    (
        meta: $meta:tt receiver: $receiver:tt state: [] fallback: $fallback:tt kind: $kind:ident
        params: [] signature: []
        rest: [#[module] $state:ident : & $state_type:ty $(, $($rest:tt)*)?]
    ) => {
        $crate::__function_params! {
            meta: $meta receiver: $receiver state: [$state ($state_type)]
            fallback: $fallback kind: $kind
            params: [] signature: []
            rest: [$($($rest)*)?]
        }
    };
    // `#[fallback] name: Fallback`: the Python function this one replaces.
    (
        meta: $meta:tt receiver: $receiver:tt state: $state:tt fallback: [] kind: $kind:ident
        params: [] signature: []
        rest: [#[fallback] $fallback:ident : Fallback $(, $($rest:tt)*)?]
    ) => {
        $crate::__function_params! {
            meta: $meta receiver: $receiver state: $state fallback: [$fallback] kind: $kind
            params: [] signature: []
            rest: [$($($rest)*)?]
        }
    };
    // `/`: every parameter so far is positional-only.
    (
        meta: $meta:tt receiver: $receiver:tt state: $state:tt fallback: $fallback:tt
        kind: $kind:ident
        params: [$({$k:ident $n:ident ($t:ty) [$($d:tt)*]})*]
        signature: [$($sig:expr),*]
        rest: [/ $(, $($rest:tt)*)?]
    ) => {
        $crate::__function_params! {
            meta: $meta receiver: $receiver state: $state fallback: $fallback kind: $kind
            params: [$({PositionalOnly $n ($t) [$($d)*]})*]
            signature: [$($sig,)* "/"]
            rest: [$($($rest)*)?]
        }
    };
    // `*`: the parameters that follow are keyword-only.
    (
        meta: $meta:tt receiver: $receiver:tt state: $state:tt fallback: $fallback:tt
        kind: $kind:ident
        params: $params:tt
        signature: [$($sig:expr),*]
        rest: [* $(, $($rest:tt)*)?]
    ) => {
        $crate::__function_params! {
            meta: $meta receiver: $receiver state: $state fallback: $fallback kind: KeywordOnly
            params: $params
            signature: [$($sig,)* "*"]
            rest: [$($($rest)*)?]
        }
    };
    // `name: Type = default`, a literal.
    (
        meta: $meta:tt receiver: $receiver:tt state: $state:tt fallback: $fallback:tt
        kind: $kind:ident
        params: [$($params:tt)*]
        signature: [$($sig:expr),*]
        rest: [$n:ident : $t:ty = $d:literal $(, $($rest:tt)*)?]
    ) => {
        $crate::__function_params! {
            meta: $meta receiver: $receiver state: $state fallback: $fallback kind: $kind
            params: [$($params)* {$kind $n ($t) [$d]}]
            signature: [
                $($sig,)* ::core::concat!(::core::stringify!($n), "=", ::core::stringify!($d))
            ]
            rest: [$($($rest)*)?]
        }
    };
    // `name: Type = None` (or `True`, `False`).
    (
        meta: $meta:tt receiver: $receiver:tt state: $state:tt fallback: $fallback:tt
        kind: $kind:ident
        params: [$($params:tt)*]
        signature: [$($sig:expr),*]
        rest: [$n:ident : $t:ty = $d:ident $(, $($rest:tt)*)?]
    ) => {
        $crate::__function_params! {
            meta: $meta receiver: $receiver state: $state fallback: $fallback kind: $kind
            params: [$($params)* {$kind $n ($t) [$d]}]
            signature: [
                $($sig,)* ::core::concat!(::core::stringify!($n), "=", ::core::stringify!($d))
            ]
            rest: [$($($rest)*)?]
        }
    };
    // `name: Type`
    (
        meta: $meta:tt receiver: $receiver:tt state: $state:tt fallback: $fallback:tt
        kind: $kind:ident
        params: [$($params:tt)*]
        signature: [$($sig:expr),*]
        rest: [$n:ident : $t:ty $(, $($rest:tt)*)?]
    ) => {
        $crate::__function_params! {
            meta: $meta receiver: $receiver state: $state fallback: $fallback kind: $kind
            params: [$($params)* {$kind $n ($t) []}]
            signature: [$($sig,)* ::core::stringify!($n)]
            rest: [$($($rest)*)?]
        }
    };
    // A module-level function.
    (
        meta: [$vis:vis, $name:ident, $py:ident, ($ret:ty), $body:block, $doc:tt]
        receiver: [] state: [$($state:ident ($state_type:ty))?]
        fallback: [$($fallback:ident)?] kind: $kind:ident
        params: [$({$k:ident $n:ident ($t:ty) [$($d:tt)*]})*]
        signature: [$($sig:expr),*]
        rest: []
    ) => {
        // Braced, so that the name is not also a value that would match
        // a local variable of the same name in patterns.
        #[allow(non_camel_case_types)]
        $vis struct $name {}

        impl $crate::Function for $name {
            $crate::__function_consts!($name, "$module", [$($sig),*], $doc,
                                       [$({$k $n [$($d)*]})*]);
            const HAS_FALLBACK: bool = $crate::__function_has_fallback!([$($fallback)?]);

            fn call<'py>(
                py: $crate::Python<'py>,
                args: &$crate::Args<'_, 'py>,
            ) -> $crate::PyResult<'py, $crate::Bound<'py>> {
                // Named in the declaration whether or not the body uses it.
                $(
                    #[allow(unused_variables)]
                    let $fallback = $crate::function::Fallback::new(args);
                )?
                $crate::__function_body!($crate::Function, py, args,
                    [$({$n ($t) [$($d)*]})*], [$($state ($state_type))?], $py, ($ret), $body)
            }
        }
    };
    // A method of a class.
    (
        meta: [$vis:vis, $name:ident, $py:ident, ($ret:ty), $body:block, $doc:tt]
        receiver: [$this:ident ($this_type:ty) $class:ty]
        state: [$($state:ident ($state_type:ty))?] fallback: [] kind: $kind:ident
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
            $crate::__function_consts!($name, "$self", [$($sig),*], $doc,
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
    ($name:ident, $receiver:literal, [$($sig:expr),*], [$doc_comment:literal $(, $line:expr)*],
     [$({$k:ident $n:ident [$($d:tt)*]})*]) => {
        const NAME: &'static ::core::ffi::CStr = $crate::function::as_cstr(
            ::core::concat!(::core::stringify!($name), "\0").as_bytes(),
        );
        const DOC: &'static ::core::ffi::CStr = {
            const PARTS: $crate::function::DocParts<'static> = $crate::function::DocParts {
                name: ::core::stringify!($name),
                receiver: $receiver,
                params: &[$($sig),*],
                lines: &[$($line),*],
                doc_comment: $doc_comment,
            };
            const LEN: usize = $crate::function::docstring_len(&PARTS);
            const BYTES: [u8; LEN] = $crate::function::docstring::<LEN>(&PARTS);
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
macro_rules! __function_has_fallback {
    ([]) => {
        false
    };
    ([$fallback:ident]) => {
        true
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __function_required {
    ([]) => {
        true
    };
    ([$d:tt]) => {
        false
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __function_default {
    ([]) => {
        ::core::unreachable!("binding gives every required parameter a value")
    };
    ([None]) => {
        $crate::function::FromDefault::from_default($crate::function::PyNone)
    };
    ([True]) => {
        $crate::function::FromDefault::from_default($crate::function::PyTrue)
    };
    ([False]) => {
        $crate::function::FromDefault::from_default($crate::function::PyFalse)
    };
    ([$d:literal]) => {
        $crate::function::FromDefault::from_default($d)
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The docstring of `parts`, as the macro makes it.
    fn render_docstring(parts: &DocParts) -> Vec<u8> {
        let mut out = vec![0; docstring_len(parts)];
        if cpython_sys::WITH_DOC_STRINGS {
            let len = render(&mut out, parts);
            assert_eq!(len + 1, out.len());
        }
        out
    }

    #[test]
    fn docstrings() {
        const PARTS: DocParts = DocParts {
            name: "f",
            receiver: "$module",
            params: &["a", "/", "b=1"],
            lines: &[" First line.", "", " Second, indented:", "     x"],
            doc_comment: true,
        };
        const LEN: usize = docstring_len(&PARTS);
        let bytes = docstring::<LEN>(&PARTS);
        assert_eq!(&bytes[..], &render_docstring(&PARTS)[..]);
        if cpython_sys::WITH_DOC_STRINGS {
            assert_eq!(
                &bytes[..],
                b"f($module, a, /, b=1)\n--\n\nFirst line.\n\nSecond, indented:\n    x\0"
            );
        } else {
            assert_eq!(&bytes[..], b"\0");
        }
        assert_eq!(as_cstr(&bytes).to_bytes().len(), LEN - 1);
    }

    /// Argument Clinic's `/` after the receiver; a text kept as it is.
    #[test]
    fn docstring_without_positional_only() {
        let keyword = DocParts {
            name: "g",
            receiver: "$self",
            params: &["s", "*", "flag=False"],
            lines: &[" Text kept."],
            doc_comment: false,
        };
        let empty = DocParts {
            name: "h",
            receiver: "$module",
            params: &[],
            lines: &[],
            doc_comment: true,
        };
        if cpython_sys::WITH_DOC_STRINGS {
            assert_eq!(
                render_docstring(&keyword),
                b"g($self, /, s, *, flag=False)\n--\n\n Text kept.\0"
            );
            assert_eq!(render_docstring(&empty), b"h($module, /)\n--\n\n\0");
        } else {
            assert_eq!(render_docstring(&keyword), b"\0");
        }
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
