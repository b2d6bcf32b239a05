"""Pure rules of Plenária: no I/O, no framework. Services call these and act on what they return."""
