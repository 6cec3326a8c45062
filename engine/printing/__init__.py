"""Printing records: what a print shows of a record (the fields a viewer may read and the rules leave shown, in
layout order), the checks of a form's print templates, and their rendering in Jinja2's sandbox. The HTML page and
the PDF are the web layer's (web/views/printing/)."""
