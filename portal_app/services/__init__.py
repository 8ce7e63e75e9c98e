"""Plain-Python services with keyword-only arguments: the portal's rules, no Reflex imports."""
