"""The organisation: users, departments and role memberships."""
