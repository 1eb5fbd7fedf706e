"""The GraphQL engine: Hasura's query language compiled to SQL that builds the JSON in the database."""
