"""Pure functions returning components: no I/O, no state of their own."""
