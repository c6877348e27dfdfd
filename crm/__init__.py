"""crm: customer relations for car dealers, from the command line.

Plugins import :data:`hookimpl` from here to mark their hook implementations::

    from crm import hookimpl

    @hookimpl
    def register_commands(register):
        register("hello", "crm_hello.cli:app", help="Say hello")
"""

import pluggy

__version__ = "0.1.0"

#: Marker for hook implementations in plugins (``@hookimpl``).
hookimpl = pluggy.HookimplMarker("crm")

__all__ = ["hookimpl", "__version__"]
