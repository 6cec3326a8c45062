"""The designer (/design/…): apps, forms, their history; for administrators and each app's administrators."""
