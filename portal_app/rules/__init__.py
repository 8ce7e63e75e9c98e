"""Rules for what people type, shared by every layer that takes input (auth, services).

A leaf package: it imports nothing of the portal but `i18n.text`, so the login, the
merchant accounts and the services check text and email addresses the same way.
"""
