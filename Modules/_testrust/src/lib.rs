//! `_testrust`: exercises what the safe layer gives a Rust module and
//! `_base64` does not use, for `Lib/test/test__testrust.py`, as `_testcapi`
//! does for the C API.  It is a test module: built only with the test
//! modules, and not in `sys.stdlib_module_names`.

#![deny(unsafe_code)]

use std::sync::atomic::{AtomicU64, Ordering};

use cpython_api::{
    Borrowed, Bound, Class, ClassMethodDef, Exception, GetSetDef, Getter, Instance, MethodDef,
    ModuleState, PyResult, Python, Setter, Strong, TypeObject, Visit, Visited,
};

/// What the module keeps per module object (no globals): its exception
/// class, its type, and how many tallies it made.
struct State {
    error: Strong,
    tally_type: TypeObject<Tally>,
    created: AtomicU64,
}

impl ModuleState for State {
    fn new<'py>(py: Python<'py>, module: Borrowed<'_, 'py>) -> PyResult<'py, Self> {
        let error = py.new_exception_type(c"_testrust.Error", c"What Tally.fail raises.")?;
        let tally_type = TypeObject::new(py, module, &TALLY_METHODS, &TALLY_PROPERTIES)?;
        Ok(State {
            error: error.unbind(),
            tally_type,
            created: AtomicU64::new(0),
        })
    }

    fn traverse(&self, visit: &mut Visit<'_>) -> Result<(), Visited> {
        visit.visit(&self.error)?;
        visit.visit(self.tally_type.as_strong())
    }
}

fn exec<'py>(py: Python<'py>, module: Borrowed<'_, 'py>) -> PyResult<'py, ()> {
    let state = cpython_api::module_state::<State>(module)?;
    module.setattr(c"Error", state.error.bind(py))?;
    module.setattr(c"Tally", state.tally_type.as_strong().bind(py))
}

/// A named running total of weighted items: a heap type that holds
/// Python objects (so the garbage collector must see them) and mutable
/// state (so each object has its lock in a free-threaded build).
struct Tally {
    name: String,
    items: Vec<Strong>,
    total: i64,
}

impl Class for Tally {
    const NAME: &'static core::ffi::CStr = c"_testrust.Tally";
    const DOC: &'static core::ffi::CStr = c"A named running total of weighted items.";

    fn traverse(&self, visit: &mut Visit<'_>) -> Result<(), Visited> {
        self.items.iter().try_for_each(|item| visit.visit(item))
    }

    fn clear(&mut self) {
        self.items.clear();
    }
}

cpython_api::function! {
    /// Return a new Tally called name.
    fn tally(py, #[module] state: &State, name: String) -> PyResult<'py, Bound<'py>> {
        state.created.fetch_add(1, Ordering::Relaxed);
        state.tally_type.instantiate(py, Tally { name, items: Vec::new(), total: 0 })
    }
}

cpython_api::function! {
    /// How many Tally objects this module made.
    fn created(py, #[module] state: &State) -> PyResult<'py, i64> {
        Ok(i64::try_from(state.created.load(Ordering::Relaxed)).unwrap_or(i64::MAX))
    }
}

cpython_api::function! {
    /// Add item, counting weight towards the total; return the new total.
    fn add(py, #[this] this: &Instance<Tally>, item: Borrowed<'_, 'py>, /, *, weight: i64 = 1)
        -> PyResult<'py, i64>
    {
        let item = item.to_owned().unbind();
        this.with(py, |tally| {
            tally.total = tally.total.checked_add(weight)?;
            tally.items.push(item);
            Some(tally.total)
        })?
        .ok_or_else(|| py.raise(Exception::OverflowError, "total does not fit 64 bits"))
    }
}

cpython_api::function! {
    /// Return a list of the items added so far.
    fn items(py, #[this] this: &Instance<Tally>) -> PyResult<'py, Bound<'py>> {
        let items = this.with(py, |tally| {
            tally.items.iter().map(|item| item.bind(py).to_owned()).collect::<Vec<_>>()
        })?;
        let borrowed: Vec<_> = items.iter().map(Bound::as_borrowed).collect();
        py.new_list(&borrowed)
    }
}

cpython_api::function! {
    /// Raise _testrust.Error("name: message"), the module's own exception
    /// class.
    fn fail(py, #[this] this: &Instance<Tally>, #[module] state: &State, message: String)
        -> PyResult<'py, ()>
    {
        let name = this.with(py, |tally| tally.name.clone())?;
        let error = state.error.bind(py).to_owned();
        Err(py.raise_type(&error, &format!("{name}: {message}")))
    }
}

/// `Tally.total`, read-only.
struct Total;

impl Getter for Total {
    type Class = Tally;
    const NAME: &'static core::ffi::CStr = c"total";
    const DOC: &'static core::ffi::CStr = c"The sum of the weights added.";

    fn get<'py>(py: Python<'py>, this: &Instance<Tally>) -> PyResult<'py, Bound<'py>> {
        let total = this.with(py, |tally| tally.total)?;
        py.new_int(total)
    }
}

/// `Tally.name`, which may be set to a str.
struct Name;

impl Getter for Name {
    type Class = Tally;
    const NAME: &'static core::ffi::CStr = c"name";
    const DOC: &'static core::ffi::CStr = c"The name given to tally(); may be set to a str.";

    fn get<'py>(py: Python<'py>, this: &Instance<Tally>) -> PyResult<'py, Bound<'py>> {
        let name = this.with(py, |tally| tally.name.clone())?;
        py.new_str(&name)
    }
}

impl Setter for Name {
    fn set<'py>(
        py: Python<'py>,
        this: &Instance<Tally>,
        value: Borrowed<'_, 'py>,
    ) -> PyResult<'py, ()> {
        if !value.is_str() {
            let type_name = value.type_name()?;
            return Err(py.raise_message(Exception::TypeError, |message| {
                message.text("name must be a str, not ")?.str(&type_name)
            }));
        }
        let name = value.to_utf8()?;
        this.with(py, |tally| tally.name = name)
    }
}

static TALLY_METHODS: [ClassMethodDef<Tally>; 4] = [
    ClassMethodDef::method::<add>(),
    ClassMethodDef::method::<items>(),
    ClassMethodDef::method::<fail>(),
    ClassMethodDef::END,
];

static TALLY_PROPERTIES: [GetSetDef<Tally>; 3] = [
    GetSetDef::getter::<Total>(),
    GetSetDef::setter::<Name>(),
    GetSetDef::END,
];

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
    fn sum(py, a: i64, b: i64 = 1) -> PyResult<'py, i64> {
        a.checked_add(b)
            .ok_or_else(|| py.raise(Exception::OverflowError, "sum does not fit 64 bits"))
    }
}

cpython_api::function! {
    /// Panic with message: a bug in a Rust function, which the caller sees
    /// as SystemError.
    fn panic_with(py, message: String) -> PyResult<'py, ()> {
        panic!("{message}")
    }
}

cpython_api::function! {
    /// Return how a Rust function reads the buffer of data: 'Immutable'
    /// (in place), 'GuardedByGil' (in place, holding the GIL) or 'Copied'.
    fn buffer_access(py, data: Borrowed<'_, 'py>) -> PyResult<'py, String> {
        py.with_buffer(data, |buffer| Ok(format!("{:?}", buffer.access())))
    }
}

static METHODS: [MethodDef; 7] = [
    MethodDef::function::<greet>(),
    MethodDef::function::<sum>(),
    MethodDef::function::<panic_with>(),
    MethodDef::function::<buffer_access>(),
    MethodDef::function::<tally>(),
    MethodDef::function::<created>(),
    MethodDef::END,
];

cpython_api::module! {
    name: "_testrust",
    doc: c"Tests of the safe layer for Rust modules.",
    state: State,
    methods: &METHODS,
    exec: exec,
}
