"""Readers' links: the page's rules, URL keys, the safe fetcher, the backlink worker, moderation."""
