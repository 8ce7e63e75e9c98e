"""Talking to Stripe: the gateway (sole importer of `stripe`), sync into the mirror, rules."""
