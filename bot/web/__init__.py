"""The public web pages of communities that opted in, and their exports (CSV, JSON).

The core may not import aiohttp or Jinja2 (the import contracts forbid it), so the web
layer lives here: ``site`` is the aiohttp application, ``pages`` renders the Jinja2
templates in ``templates/``. Nothing here is imported until the pages are served —
``courtyard run`` starts the site only when ``PUBLIC_URL`` is set, the sandbox mounts it on
its own port — and Jinja2 not until the first page is rendered, so a bot without public
pages never loads either (its memory budget is tight: README, performance).
"""
