"""Billing semantics: periods, proration, invoices, payments, discounts, the clock's work."""
