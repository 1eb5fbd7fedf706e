"""qapress: a network of Q&A article sites served from one database.

The parts, one package each: ``store`` (schema, migrations, connections), ``engine`` (Hasura-dialect GraphQL
compiled to SQL), ``site`` (server-rendered pages), ``links`` (readers' links and their checks), ``generate``
(Q&A articles from news sources) and ``cli`` (the ``qapress`` command).
"""

__version__ = "0.1.0"
