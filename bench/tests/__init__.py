"""The benchmark's own tests: its corpus generator and the script that runs it."""

import io


def generate(*args):
    """bench/generate.py with these arguments, in this process (Django already set up); what it printed."""
    from bench import generate as script

    out = io.StringIO()
    script.main([str(arg) for arg in args], out=out)
    return out.getvalue()
