"""Document generators for tests (DOCX, PDF, scans, bombs): fixtures for the extract tests."""
