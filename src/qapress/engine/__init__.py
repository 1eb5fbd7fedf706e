"""The GraphQL engine: Hasura's query language compiled to SQL that builds the JSON in the database."""

from qapress.engine.engine import GraphQLEngine
from qapress.engine.errors import EngineError
from qapress.engine.metadata import Metadata, load_metadata, qapress_metadata

__all__ = ["EngineError", "GraphQLEngine", "Metadata", "load_metadata", "qapress_metadata"]
