"""PDFium's functions for the loops that call them once per page object, path segment or character.

pypdfium2's raw bindings declare each function's argument types, so ctypes runs a converter
for every argument of every call: half of a call's cost. The loops of `pdf_tables` call
PDFium some ten thousand times on a ruled page, so they take the same functions from the
same library without the declared argument types (with the declared result type). Without
them ctypes passes a ctypes object (a handle, `byref(...)`) as it is and a Python int as a C
`int`, which is only right where the parameter is a handle, a pointer or a 32-bit integer:
`bare` checks the declarations and refuses any other function.
"""

from __future__ import annotations

import ctypes

import pypdfium2.raw as pdfium_c


def _library() -> ctypes.CDLL:
    from pypdfium2_raw import bindings

    return bindings._libs["pdfium"]


def _fits(argtype: type) -> bool:
    """Whether ctypes passes an argument of this declared type right without the declaration."""
    if argtype in (ctypes.c_int, ctypes.c_uint, ctypes.c_int32, ctypes.c_uint32):
        return True
    return issubclass(argtype, (ctypes._Pointer, ctypes.c_void_p))


def bare(name: str):
    """PDFium's function `name` without ctypes' argument converters, its result type as declared.

    >>> count = bare("FPDFText_CountChars")
    >>> count.argtypes is None, count.restype is pdfium_c.FPDFText_CountChars.restype
    (True, True)
    >>> bare("FPDF_LoadMemDocument64")   # a size_t: a Python int would be passed as a C int
    Traceback (most recent call last):
    ...
    TypeError: FPDF_LoadMemDocument64 takes c_ulong: it needs its declared argument types
    """
    declared = getattr(pdfium_c, name)
    for argtype in declared.argtypes or ():
        if not _fits(argtype):
            raise TypeError(f"{name} takes {argtype.__name__}: it needs its declared argument types")
    fn = _library()[name]
    fn.restype = declared.restype
    return fn
