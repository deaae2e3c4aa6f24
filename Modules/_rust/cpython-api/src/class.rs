//! Heap types whose instances hold a Rust value, with the garbage
//! collector's support.
//!
//! A [`Class`] is a Rust type whose values live in Python objects,
//! [`Instance`]s of a type made at run time by [`TypeObject::new`] (with
//! `PyType_FromModuleAndSpec`, so its methods reach the module's state).
//! The type cannot be instantiated or subclassed from Python: a module
//! function makes instances ([`TypeObject::instantiate`]), as `zlib` and
//! `hashlib` make theirs.  Its methods ([`Method`], declared with
//! [`function!`](crate::function!)) and properties ([`Getter`],
//! [`Setter`]) see the instance as `&Instance<T>`.
//!
//! The value is reached only through [`Instance::with`], which holds the
//! object's critical section (its per-object lock in a free-threaded build;
//! the GIL serializes otherwise) and marks the value as in use, so that a
//! call that comes back to the same object while it is in use (through
//! code the closure runs, which may release the lock) raises
//! `RuntimeError` instead of aliasing it.  The collector's `tp_traverse`
//! and `tp_clear` skip a value in use, which only keeps it alive.

use core::cell::UnsafeCell;
use core::ffi::{CStr, c_int, c_void};
use core::marker::PhantomData;
use core::mem::{MaybeUninit, size_of};
use core::ptr;
use core::sync::atomic::{AtomicU8, Ordering};
use std::panic::{self, AssertUnwindSafe};

use cpython_sys as ffi;

use crate::args::{self, Args, Param};
use crate::error::{Exception, PyResult};
use crate::module::{RawCall, Receiver, panic_error, to_c};
use crate::object::{Borrowed, Bound, Strong};
use crate::python::Python;

/// The garbage collector's visitor, given to `traverse` functions.
pub struct Visit<'a> {
    visit: ffi::visitproc,
    arg: *mut c_void,
    _call: PhantomData<&'a mut ()>,
}

/// A visit that returned non-zero, which `traverse` must return.
pub struct Visited(pub(crate) c_int);

impl Visit<'_> {
    pub(crate) fn new(visit: ffi::visitproc, arg: *mut c_void) -> Self {
        Visit {
            visit,
            arg,
            _call: PhantomData,
        }
    }

    fn visit_ptr(&mut self, object: *mut ffi::PyObject) -> Result<(), Visited> {
        let Some(visit) = self.visit else {
            return Ok(());
        };
        // SAFETY: the collector's visitor with its argument, on a live
        // object the traversed object holds a reference to.
        match unsafe { visit(object, self.arg) } {
            0 => Ok(()),
            status => Err(Visited(status)),
        }
    }

    /// `Py_VISIT(object)`.
    pub fn visit(&mut self, object: &Strong) -> Result<(), Visited> {
        self.visit_ptr(object.as_ptr())
    }
}

/// A Rust type whose values live in instances of a heap type.
pub trait Class: Sized + Send + 'static {
    /// `module.Name`: the type's `__module__` and `__name__`.
    const NAME: &'static CStr;
    const DOC: &'static CStr;

    /// Visit every object the value holds.
    fn traverse(&self, visit: &mut Visit<'_>) -> Result<(), Visited>;

    /// Drop the objects the value holds (`tp_clear`), which breaks the
    /// reference cycles it is part of; the value stays usable.
    fn clear(&mut self);
}

const UNINITIALIZED: u8 = 0;
const READY: u8 = 1;
const IN_USE: u8 = 2;

/// The Python object of a [`Class`] value.
#[repr(C)]
pub struct Instance<T> {
    header: ffi::PyObject,
    /// UNINITIALIZED (the allocation is zeroed), READY or IN_USE.
    state: AtomicU8,
    value: UnsafeCell<MaybeUninit<T>>,
}

// SAFETY: the value is reached only through `with` (under the object's
// critical section and the IN_USE mark) and by the collector when no
// thread has marked it, so sharing the instance shares T between threads
// one at a time, which T: Send allows.
unsafe impl<T: Send> Sync for Instance<T> {}

/// Run `f` under `Py_BEGIN_CRITICAL_SECTION(object)`: nothing in a build
/// with the GIL, where the C macro does nothing either.  The section stays
/// where it was begun (the thread state links to its address) until it
/// ends, also when `f` unwinds.
fn critical_section<R>(_py: Python<'_>, object: *mut ffi::PyObject, f: impl FnOnce() -> R) -> R {
    if !ffi::GIL_DISABLED {
        return f();
    }
    let mut section = MaybeUninit::<ffi::PyCriticalSection>::uninit();
    // SAFETY: attached (the token); a live object; `section` cannot move
    // while `_end` borrows it, and `_end` ends it.
    unsafe { ffi::PyCriticalSection_Begin(section.as_mut_ptr(), object) };
    let _end = SectionEnd(&mut section);
    f()
}

/// Ends the critical section it borrows when dropped.
struct SectionEnd<'a>(&'a mut MaybeUninit<ffi::PyCriticalSection>);

impl Drop for SectionEnd<'_> {
    fn drop(&mut self) {
        // SAFETY: begun by critical_section on this thread, which is
        // attached for the section's whole scope, at this address.
        unsafe { ffi::PyCriticalSection_End(self.0.as_mut_ptr()) };
    }
}

/// The IN_USE mark of a value; sets READY again when dropped (also when
/// unwinding).
struct InUse<'a>(&'a AtomicU8);

impl InUse<'_> {
    /// Mark a READY value IN_USE, or `None` if it is not READY.
    fn mark(state: &AtomicU8) -> Option<InUse<'_>> {
        state
            .compare_exchange(READY, IN_USE, Ordering::Acquire, Ordering::Relaxed)
            .ok()
            .map(|_| InUse(state))
    }
}

impl Drop for InUse<'_> {
    fn drop(&mut self) {
        self.0.store(READY, Ordering::Release);
    }
}

impl<T: Class> Instance<T> {
    fn as_ptr(&self) -> *mut ffi::PyObject {
        ptr::from_ref(&self.header).cast_mut()
    }

    /// Run `f` on the value, under the object's critical section; a call
    /// that reaches the value again while `f` runs raises `RuntimeError`.
    pub fn with<'py, R>(&self, py: Python<'py>, f: impl FnOnce(&mut T) -> R) -> PyResult<'py, R> {
        critical_section(py, self.as_ptr(), || {
            let Some(_in_use) = InUse::mark(&self.state) else {
                return Err(py.raise_message(Exception::RuntimeError, |message| {
                    message
                        .text(T::NAME.to_str().unwrap_or("object"))?
                        .text(" object is already in use")
                }));
            };
            // SAFETY: READY means initialized; IN_USE, set here under the
            // critical section, excludes every other access until reset.
            Ok(f(unsafe { (*self.value.get()).assume_init_mut() }))
        })
    }

    /// The state of the module of the instance's type.
    pub fn module_state<'a, 'py, S: crate::ModuleState>(
        &'a self,
        py: Python<'py>,
    ) -> PyResult<'py, &'a S> {
        // SAFETY: a live instance of a type made by TypeObject::new, which
        // has a module it holds a reference to, alive while the instance
        // is ('a); NULL (with an exception set) cannot happen for it, but
        // is checked.
        unsafe {
            let module = ffi::PyType_GetModule(ffi::Py_TYPE(self.as_ptr()));
            if module.is_null() {
                return Err(py.fetch_set());
            }
            crate::module::module_state(py, module)
        }
    }
}

/// A type made for `T`: the only way to make instances of it.
pub struct TypeObject<T> {
    object: Strong,
    _class: PhantomData<fn(T) -> T>,
}

impl<T: Class> TypeObject<T> {
    /// Make the type, for `module`.  `methods` ends with
    /// [`ClassMethodDef::END`] and `properties` with [`GetSetDef::END`].
    pub fn new<'py>(
        py: Python<'py>,
        module: Borrowed<'_, 'py>,
        methods: &'static [ClassMethodDef<T>],
        properties: &'static [GetSetDef<T>],
    ) -> PyResult<'py, Self> {
        assert!(
            methods.last().is_some_and(|m| m.0.ml_name.is_null()),
            "method table must end with ClassMethodDef::END"
        );
        assert!(
            properties.last().is_some_and(|p| p.0.name.is_null()),
            "property table must end with GetSetDef::END"
        );
        let slot = |slot: u32, pfunc: *mut c_void| ffi::PyType_Slot {
            slot: slot as c_int,
            pfunc,
        };
        let mut slots = [
            slot(ffi::Py_tp_dealloc, dealloc::<T> as *mut c_void),
            slot(ffi::Py_tp_traverse, traverse::<T> as *mut c_void),
            slot(ffi::Py_tp_clear, clear::<T> as *mut c_void),
            slot(ffi::Py_tp_methods, methods.as_ptr().cast_mut().cast()),
            slot(ffi::Py_tp_getset, properties.as_ptr().cast_mut().cast()),
            slot(
                ffi::Py_tp_doc,
                crate::module::docstring(T::DOC).as_ptr().cast_mut().cast(),
            ),
            slot(0, ptr::null_mut()),
        ];
        let mut spec = ffi::PyType_Spec {
            name: T::NAME.as_ptr(),
            basicsize: c_int::try_from(size_of::<Instance<T>>()).expect("an instance fits a C int"),
            itemsize: 0,
            flags: ffi::Py_TPFLAGS_DEFAULT
                | ffi::Py_TPFLAGS_HAVE_GC
                | ffi::Py_TPFLAGS_IMMUTABLETYPE
                | ffi::Py_TPFLAGS_DISALLOW_INSTANTIATION,
            slots: slots.as_mut_ptr(),
        };
        // SAFETY: attached; a live module; the spec and slots are read
        // during the call (CPython copies the name and the docstring), the
        // method and property tables are 'static.
        let object = unsafe {
            Bound::from_owned(
                py,
                ffi::PyType_FromModuleAndSpec(module.as_ptr(), &mut spec, ptr::null_mut()),
            )
        }?;
        Ok(TypeObject {
            object: object.unbind(),
            _class: PhantomData,
        })
    }

    /// The type object.
    pub fn as_strong(&self) -> &Strong {
        &self.object
    }

    /// A new instance holding `value`.
    pub fn instantiate<'py>(&self, py: Python<'py>, value: T) -> PyResult<'py, Bound<'py>> {
        let type_object = self.object.as_ptr().cast::<ffi::PyTypeObject>();
        // SAFETY: attached; a type made for T by `new`; a new, zeroed
        // (UNINITIALIZED) instance or NULL with an exception set.
        let object = unsafe { Bound::from_owned(py, ffi::PyType_GenericAlloc(type_object, 0)) }?;
        let instance = object.as_ptr().cast::<Instance<T>>();
        // SAFETY: its layout is Instance<T> (basicsize); nothing else can
        // reach the new object yet but the collector, which skips an
        // UNINITIALIZED value.
        unsafe {
            (*(*instance).value.get()).write(value);
            (*instance).state.store(READY, Ordering::Release);
        }
        Ok(object)
    }
}

/// `tp_traverse`: the type (which heap-type instances must visit), and
/// the value unless it is in use.
///
/// # Safety
///
/// Called by the collector with an instance of a type made for T.
unsafe extern "C" fn traverse<T: Class>(
    object: *mut ffi::PyObject,
    visit: ffi::visitproc,
    arg: *mut c_void,
) -> c_int {
    let mut visit = Visit::new(visit, arg);
    // SAFETY: a live instance (contract), whose type is live.
    if let Err(Visited(status)) = visit.visit_ptr(unsafe { ffi::Py_TYPE(object) }.cast()) {
        return status;
    }
    // SAFETY: as above; its layout is Instance<T>.
    let instance = unsafe { &*object.cast::<Instance<T>>() };
    if instance.state.load(Ordering::Acquire) != READY {
        return 0;
    }
    // SAFETY: READY and not in use: no thread is using the value (a thread
    // in `with` has marked it IN_USE), and the collector does not run
    // alongside a thread that could mark it now.
    let value = unsafe { (*instance.value.get()).assume_init_ref() };
    match value.traverse(&mut visit) {
        Ok(()) => 0,
        Err(Visited(status)) => status,
    }
}

/// `tp_clear`.
///
/// # Safety
///
/// Called by the collector, attached, with an instance of a type made
/// for T.
unsafe extern "C" fn clear<T: Class>(object: *mut ffi::PyObject) -> c_int {
    // SAFETY: a live instance of layout Instance<T> (contract).
    let instance = unsafe { &*object.cast::<Instance<T>>() };
    if let Some(_in_use) = InUse::mark(&instance.state) {
        // SAFETY: initialized (READY), and marked in use here.
        unsafe { (*instance.value.get()).assume_init_mut() }.clear();
    }
    0
}

/// `tp_dealloc`.
///
/// # Safety
///
/// Called by CPython, attached, when the last reference to an instance of
/// a type made for T is gone.
unsafe extern "C" fn dealloc<T: Class>(object: *mut ffi::PyObject) {
    // SAFETY: a dying instance of layout Instance<T> (contract): untrack
    // it before dropping what it holds, free it with its type's tp_free,
    // and release the reference every heap-type instance holds to its
    // type.
    unsafe {
        ffi::PyObject_GC_UnTrack(object.cast());
        let instance = object.cast::<Instance<T>>();
        if (*instance).state.load(Ordering::Acquire) != UNINITIALIZED {
            (*(*instance).value.get()).assume_init_drop();
        }
        let type_object = ffi::Py_TYPE(object);
        if let Some(free) = (*type_object).tp_free {
            free(object.cast());
        }
        ffi::Py_DECREF(type_object.cast());
    }
}

/// A method of a [`Class`], declared with
/// [`function!`](crate::function!) and a `#[this]` parameter.
pub trait Method {
    type Class: Class;
    const NAME: &'static CStr;
    const DOC: &'static CStr;
    const PARAMS: &'static [Param];

    fn call<'py>(
        py: Python<'py>,
        this: &Instance<Self::Class>,
        args: &Args<'_, 'py>,
    ) -> PyResult<'py, Bound<'py>>;
}

/// The C entry point of every [`Method`].
///
/// # Safety
///
/// Called only by CPython, as a `METH_FASTCALL | METH_KEYWORDS` method of
/// the type made for `M::Class` (whose method descriptors check that
/// `object` is an instance of it; it has no subclasses), attached.
unsafe extern "C" fn method_fastcall<M: Method>(
    object: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargs: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: CPython calls methods with the thread attached.
    let py = unsafe { Python::assume_attached() };
    // SAFETY: an instance of the type made for M::Class (contract).
    let this = unsafe { &*object.cast::<Instance<M::Class>>() };
    let call = RawCall {
        module: object,
        receiver: Receiver::Instance,
        args,
        nargs,
        kwnames,
    };
    to_c(py, M::NAME, || {
        // SAFETY: the vectorcall arguments as CPython passed them.
        let args = unsafe { args::bind_or_raise(py, M::NAME, M::PARAMS, call) }?;
        M::call(py, this, &args)
    })
}

/// One entry of a [`Class`]'s method table.
#[repr(transparent)]
pub struct ClassMethodDef<T>(ffi::PyMethodDef, PhantomData<fn(T) -> T>);

// SAFETY: never written after construction; points only to 'static data.
unsafe impl<T> Sync for ClassMethodDef<T> {}

impl<T: Class> ClassMethodDef<T> {
    /// The entry for `M`.
    pub const fn method<M: Method<Class = T>>() -> Self {
        ClassMethodDef(
            crate::module::fastcall_entry(M::NAME, M::DOC, method_fastcall::<M>),
            PhantomData,
        )
    }

    /// The sentinel that ends a method table.
    pub const END: Self = ClassMethodDef(
        ffi::PyMethodDef {
            ml_name: ptr::null(),
            ml_meth: None,
            ml_flags: 0,
            ml_doc: ptr::null(),
        },
        PhantomData,
    );
}

/// A read-only property of a [`Class`].
pub trait Getter {
    type Class: Class;
    const NAME: &'static CStr;
    const DOC: &'static CStr;

    fn get<'py>(py: Python<'py>, this: &Instance<Self::Class>) -> PyResult<'py, Bound<'py>>;
}

/// A property that can also be set; deleting it raises `TypeError`.
pub trait Setter: Getter {
    fn set<'py>(
        py: Python<'py>,
        this: &Instance<Self::Class>,
        value: Borrowed<'_, 'py>,
    ) -> PyResult<'py, ()>;
}

/// # Safety
///
/// Called only by CPython, as the getter of a property of the type made
/// for `G::Class` (getset descriptors check the instance's type), attached.
unsafe extern "C" fn getter<G: Getter>(
    object: *mut ffi::PyObject,
    _closure: *mut c_void,
) -> *mut ffi::PyObject {
    // SAFETY: attached (contract).
    let py = unsafe { Python::assume_attached() };
    // SAFETY: an instance of the type made for G::Class (contract).
    let this = unsafe { &*object.cast::<Instance<G::Class>>() };
    to_c(py, G::NAME, || G::get(py, this))
}

/// # Safety
///
/// As for [`getter`]; `value` is NULL for `del`.
unsafe extern "C" fn setter<S: Setter>(
    object: *mut ffi::PyObject,
    value: *mut ffi::PyObject,
    _closure: *mut c_void,
) -> c_int {
    // SAFETY: attached (contract).
    let py = unsafe { Python::assume_attached() };
    // SAFETY: an instance of the type made for S::Class (contract).
    let this = unsafe { &*object.cast::<Instance<S::Class>>() };
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        let Some(value) = ptr::NonNull::new(value) else {
            return Err(py.raise_message(Exception::TypeError, |message| {
                message
                    .text("cannot delete attribute '")?
                    .text(S::NAME.to_str().unwrap_or("?"))?
                    .text("'")
            }));
        };
        // SAFETY: a live object for the call.
        S::set(py, this, unsafe { Borrowed::from_ptr(py, value) })
    }));
    match outcome {
        Ok(Ok(())) => 0,
        Ok(Err(_)) => -1,
        Err(payload) => {
            panic_error(py, S::NAME, payload.as_ref());
            -1
        }
    }
}

/// One entry of a [`Class`]'s property table.
#[repr(transparent)]
pub struct GetSetDef<T>(ffi::PyGetSetDef, PhantomData<fn(T) -> T>);

// SAFETY: never written after construction; points only to 'static data.
unsafe impl<T> Sync for GetSetDef<T> {}

impl<T: Class> GetSetDef<T> {
    /// A read-only property.
    pub const fn getter<G: Getter<Class = T>>() -> Self {
        GetSetDef(
            ffi::PyGetSetDef {
                name: G::NAME.as_ptr(),
                get: Some(getter::<G>),
                set: None,
                doc: crate::module::docstring(G::DOC).as_ptr(),
                closure: ptr::null_mut(),
            },
            PhantomData,
        )
    }

    /// A property that can be set.
    pub const fn setter<S: Setter<Class = T>>() -> Self {
        GetSetDef(
            ffi::PyGetSetDef {
                name: S::NAME.as_ptr(),
                get: Some(getter::<S>),
                set: Some(setter::<S>),
                doc: crate::module::docstring(S::DOC).as_ptr(),
                closure: ptr::null_mut(),
            },
            PhantomData,
        )
    }

    /// The sentinel that ends a property table.
    pub const END: Self = GetSetDef(
        ffi::PyGetSetDef {
            name: ptr::null(),
            get: None,
            set: None,
            doc: ptr::null(),
            closure: ptr::null_mut(),
        },
        PhantomData,
    );
}
