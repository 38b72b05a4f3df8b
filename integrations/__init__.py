"""Channel adapters built on the `assistant` library."""
