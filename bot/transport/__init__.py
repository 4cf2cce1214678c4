"""How updates reach the application: long polling, webhook, or the local console."""
