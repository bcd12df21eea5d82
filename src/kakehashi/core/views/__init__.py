"""Core's pages: the account pages."""
