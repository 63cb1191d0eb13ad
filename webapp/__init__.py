"""What the Streamlit front (``app.py``) needs besides widgets, testable without Streamlit.

Page state and the URL (``session``), panel tables and charts (``panels``), the Data tab's
checks (``data_page``) and starting the server (``serve``). Only ``app.py`` imports streamlit.
"""
