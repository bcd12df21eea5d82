"""Certificates' pages: the office's (``office``), a participant's own (``portal``), and
public verification with what a verifier needs (``public``)."""
