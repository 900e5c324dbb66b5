"""The consolidated report: its content from the current submissions (pure), and the writers
for DOCX (docxtpl), PDF (LibreOffice), XLSX (openpyxl) and the summary chart (Pillow)."""
