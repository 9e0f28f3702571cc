"""sorkit's version, in a module of its own so that any part of sorkit can read it.

``sorkit.__version__`` re-exports it; parts of sorkit import it from here, because importing the
``sorkit`` package itself from inside would make an import cycle through its public facade.
"""

__version__ = "0.1.0"
