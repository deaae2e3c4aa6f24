//! Equivalents of C-API static inline functions and macros.
//!
//! bindgen translates only declarations and integer `#define`s.  What the
//! modules need beyond that is written here by hand, each item next to the
//! C definition it mirrors, preferring a call to the exported twin of an
//! inline function (`Py_IncRef` for `Py_INCREF`) where one exists so that
//! the reference-counting scheme of the build (default or free-threaded)
//! stays CPython's business.

// The items keep their C names, so that C documentation applies.
#![allow(non_snake_case, non_upper_case_globals)]

use core::ffi::c_void;
use core::ptr;

#[cfg(not(Py_GIL_DISABLED))]
use crate::bindings::_PyRust_IMMORTAL_REFCNT;
#[cfg(Py_GIL_DISABLED)]
use crate::bindings::_Py_IMMORTAL_REFCNT_LOCAL;
use crate::bindings::{
    _Py_NoneStruct, PyBytesObject, PyModuleDef, PyModuleDef_Base, PyObject, PyTupleObject,
    PyTypeObject, PyType_GetFlags, PyVarObject, Py_DecRef, Py_IncRef, Py_TPFLAGS_LONG_SUBCLASS,
    Py_TPFLAGS_UNICODE_SUBCLASS, Py_ssize_t,
};

/// `Py_INCREF(op)`.
///
/// # Safety
///
/// `op` must point to a live object and the thread must be attached to the
/// interpreter (hold the GIL in a default build).
#[inline]
pub unsafe fn Py_INCREF(op: *mut PyObject) {
    // SAFETY: the caller's contract is exactly Py_IncRef's.
    unsafe { Py_IncRef(op) }
}

/// `Py_DECREF(op)`.
///
/// # Safety
///
/// As for [`Py_INCREF`]; the caller must own the reference it gives up.
#[inline]
pub unsafe fn Py_DECREF(op: *mut PyObject) {
    // SAFETY: the caller's contract is exactly Py_DecRef's.
    unsafe { Py_DecRef(op) }
}

/// `Py_TYPE(ob)`.
///
/// # Safety
///
/// `ob` must point to a live object.
#[inline]
pub unsafe fn Py_TYPE(ob: *mut PyObject) -> *mut PyTypeObject {
    // SAFETY: a live object starts with a PyObject header whose ob_type is
    // set for the object's whole life.
    unsafe { (*ob).ob_type }
}

/// `Py_SIZE(ob)`.
///
/// # Safety
///
/// `ob` must point to a live variable-size object (`PyVarObject`).
#[inline]
pub unsafe fn Py_SIZE(ob: *mut PyObject) -> Py_ssize_t {
    // SAFETY: the caller guarantees a PyVarObject header.
    unsafe { (*ob.cast::<PyVarObject>()).ob_size }
}

/// `PyUnicode_Check(op)`.
///
/// # Safety
///
/// `op` must point to a live object.
#[inline]
pub unsafe fn PyUnicode_Check(op: *mut PyObject) -> bool {
    // SAFETY: the type of a live object is a live type object.
    let flags = unsafe { PyType_GetFlags(Py_TYPE(op)) };
    flags & Py_TPFLAGS_UNICODE_SUBCLASS as core::ffi::c_ulong != 0
}

/// `PyLong_Check(op)`.
///
/// # Safety
///
/// `op` must point to a live object.
#[inline]
pub unsafe fn PyLong_Check(op: *mut PyObject) -> bool {
    // SAFETY: the type of a live object is a live type object.
    let flags = unsafe { PyType_GetFlags(Py_TYPE(op)) };
    flags & Py_TPFLAGS_LONG_SUBCLASS as core::ffi::c_ulong != 0
}

/// `PyTuple_GET_SIZE(op)`.
///
/// # Safety
///
/// `op` must point to a live `tuple` (or subclass) object.
#[inline]
pub unsafe fn PyTuple_GET_SIZE(op: *mut PyObject) -> Py_ssize_t {
    // SAFETY: a tuple is a PyVarObject.
    unsafe { Py_SIZE(op) }
}

/// `PyTuple_GET_ITEM(op, i)`: a borrowed reference.
///
/// # Safety
///
/// `op` must point to a live tuple and `0 <= i < PyTuple_GET_SIZE(op)`.
#[inline]
pub unsafe fn PyTuple_GET_ITEM(op: *mut PyObject, i: Py_ssize_t) -> *mut PyObject {
    // SAFETY: ob_item is the tuple's inline item array (declared with one
    // element, allocated with ob_size); i is in bounds by contract.
    unsafe {
        let items =
            ptr::addr_of_mut!((*op.cast::<PyTupleObject>()).ob_item).cast::<*mut PyObject>();
        // Py_ssize_t is the platform's ssize_t, the width of isize.
        *items.offset(i as isize)
    }
}

/// `PyBytes_AS_STRING(op)`: the first byte of a `bytes` object's storage.
///
/// # Safety
///
/// `op` must point to a live `bytes` object.
#[inline]
pub unsafe fn PyBytes_AS_STRING(op: *mut PyObject) -> *mut u8 {
    // SAFETY: ob_sval is the inline storage of ob_size + 1 bytes.
    unsafe { ptr::addr_of_mut!((*op.cast::<PyBytesObject>()).ob_sval).cast::<u8>() }
}

/// `Py_None`: a borrowed reference to the `None` singleton.
#[inline]
pub fn Py_None() -> *mut PyObject {
    // Only the address of the extern static is taken; nothing is read.
    ptr::addr_of_mut!(_Py_NoneStruct)
}

/// `PyModuleDef_HEAD_INIT`: an immortal, not yet initialized definition
/// header (`PyModuleDef_Init` sets its type and index).
pub const PyModuleDef_HEAD_INIT: PyModuleDef_Base = {
    // SAFETY: PyModuleDef_Base is plain C data (integers and pointers), for
    // which all-zero bytes are valid; the C macro also zeroes every field
    // but the reference count.
    let mut base: PyModuleDef_Base = unsafe { core::mem::zeroed() };
    set_immortal(&mut base.ob_base);
    base
};

/// `_Py_IMMORTAL_REFCNT`, the reference count of a statically allocated
/// immortal object in a default (GIL) build, from the headers (bindgen.h).
#[cfg(not(Py_GIL_DISABLED))]
pub const _Py_IMMORTAL_REFCNT: Py_ssize_t = _PyRust_IMMORTAL_REFCNT as Py_ssize_t;

/// The reference-count part of `PyObject_HEAD_INIT`.
#[cfg(not(Py_GIL_DISABLED))]
const fn set_immortal(ob: &mut PyObject) {
    ob.__bindgen_anon_1.ob_refcnt = _Py_IMMORTAL_REFCNT;
}

/// The reference-count part of `PyObject_HEAD_INIT`.  The free-threaded
/// build's `_Py_IMMORTAL_REFCNT_LOCAL` is `UINT32_MAX`, which bindgen
/// translates itself.
#[cfg(Py_GIL_DISABLED)]
const fn set_immortal(ob: &mut PyObject) {
    ob.ob_ref_local = _Py_IMMORTAL_REFCNT_LOCAL;
}

/// A `PyModuleDef` with every field empty, to be filled in by the safe layer.
pub const PyModuleDef_EMPTY: PyModuleDef = PyModuleDef {
    m_base: PyModuleDef_HEAD_INIT,
    m_name: ptr::null(),
    m_doc: ptr::null(),
    m_size: 0,
    m_methods: ptr::null_mut(),
    m_slots: ptr::null_mut(),
    m_traverse: None,
    m_clear: None,
    m_free: None,
};

// Py_mod_multiple_interpreters values (moduleobject.h).  The C API passes
// these integer tags as `void *` slot values; they point to nothing.
pub const Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED: *mut c_void = ptr::null_mut();
pub const Py_MOD_MULTIPLE_INTERPRETERS_SUPPORTED: *mut c_void = ptr::without_provenance_mut(1);
pub const Py_MOD_PER_INTERPRETER_GIL_SUPPORTED: *mut c_void = ptr::without_provenance_mut(2);
// Py_mod_gil values (moduleobject.h).
pub const Py_MOD_GIL_USED: *mut c_void = ptr::null_mut();
pub const Py_MOD_GIL_NOT_USED: *mut c_void = ptr::without_provenance_mut(1);
