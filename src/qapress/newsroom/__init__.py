"""The newsroom: where owners, editors and moderators sign in and run the network's sites in the browser.

Mounted under ``/newsroom/`` on every host the server answers (``qapress.site.app.create_app``). Pages are
rendered on the server, need no JavaScript and are never cached; every read and write of articles and
links goes through the GraphQL engine as the signed-in account's role (``qapress_metadata.yaml``).
"""
