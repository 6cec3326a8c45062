"""The role-aware home page (工作台): which blocks each role's home shows, as the `home` document defines them."""
