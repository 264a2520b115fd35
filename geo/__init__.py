"""Hito library: border layers, incident ingest, enrichment and queries (never imports streamlit)."""
