"""The ``vigil`` command line: thin Typer commands over library functions."""
