//! Feature vectors (next).
