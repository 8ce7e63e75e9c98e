"""Message catalogues and locale-aware formatting of money, dates and numbers."""
