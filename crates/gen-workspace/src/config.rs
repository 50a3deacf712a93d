//! Config loading (next).
