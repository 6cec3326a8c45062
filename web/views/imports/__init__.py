"""The import pages of a form (issue 16): upload a file, match its columns to fields, preview, then follow the
background job's progress to its summary and error report. Each step is a module; `routes` lists their URLs."""
