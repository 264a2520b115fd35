"""Hito library: border layers, incident ingest, enrichment, queries (never imports streamlit)."""
