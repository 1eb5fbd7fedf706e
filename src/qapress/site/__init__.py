"""The article sites: server-rendered pages for many domains, each page from one GraphQL query."""
