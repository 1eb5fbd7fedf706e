"""Q&A articles from news sources: ingest, backends, grounding check, publishing."""
