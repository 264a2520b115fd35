"""Hito dashboard: the Streamlit app, thin over the geo library."""
