"""A network of shows: one workspace folder, shared defaults, one command for all (see workspace.py)."""
