"""The steward app served as a web page (Voila) and JupyterLab, and the pieces it needs.

:mod:`sorkit.app.setup` (commands, template, settings, environment), :mod:`sorkit.app.kernel`
(the register and DOM hooks inside the kernel), :mod:`sorkit.app.server` (ports and server
processes) and :mod:`sorkit.app.mode` (start and serve); the names below come from ``mode``.
"""

from sorkit.app.mode import (
    APP_NOTEBOOK,
    DEMO_REGISTER,
    HOST,
    LAB_SETTINGS,
    MESSAGES,
    ROOT,
    TEMPLATE,
    Server,
    add_dom_hooks,
    app_environment,
    app_notebook,
    app_today,
    free_port,
    http_answers,
    lab_command,
    open_app_register,
    port_in_use,
    running_voila,
    serve,
    start_lab,
    start_voila,
    stop_process_group,
    voila_command,
    write_lab_settings,
    write_template,
)

__all__ = [
    "APP_NOTEBOOK",
    "DEMO_REGISTER",
    "HOST",
    "LAB_SETTINGS",
    "MESSAGES",
    "ROOT",
    "TEMPLATE",
    "Server",
    "add_dom_hooks",
    "app_notebook",
    "app_environment",
    "app_today",
    "free_port",
    "http_answers",
    "lab_command",
    "open_app_register",
    "port_in_use",
    "running_voila",
    "serve",
    "start_lab",
    "start_voila",
    "stop_process_group",
    "voila_command",
    "write_lab_settings",
    "write_template",
]
