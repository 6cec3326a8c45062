"""Who may do what to which records and fields: roles resolved to access, scopes compiled to SQL predicates."""
