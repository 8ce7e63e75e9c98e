"""Reflex states: one small state per page or feature, thin and untrusted."""
