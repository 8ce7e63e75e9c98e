"""The embedded Stripe-compatible sandbox: the default backend when no Stripe key is set."""
