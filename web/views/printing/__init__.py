"""Printing records: the print page (`…/{id}/print`), the PDF of one record (`…/{id}/print.pdf`) and of the records
ticked in a list (`…/print.pdf`), in the default layout or one of the form's print templates (docs/print.md)."""
