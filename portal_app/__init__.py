"""A self-hosted customer billing portal on Stripe, built with Reflex."""
