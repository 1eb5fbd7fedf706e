"""Feeds: RSS, Atom and JSON Feed addresses a site drafts articles from, polled by the worker.

Pure parsing (``parse``, ``jsonfeed``) apart from the store (``repository``) and the polling that fetches,
drafts and queues (``poller``). Every fetch goes through the links package's SSRF-safe fetcher.
"""
