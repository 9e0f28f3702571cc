"""Old path of :mod:`sorkit.app` (the app as a web page), kept for one release.

Import from :mod:`sorkit.app` instead (``from sorkit.app import add_dom_hooks,
open_app_register``); this module only re-exports it and goes away in the next release.
"""

from sorkit.app import *  # noqa: F403
from sorkit.app import __all__  # noqa: F401
