"""The shipped example batches and their deterministic generators (a package so that they share examples.common)."""
