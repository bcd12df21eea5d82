"""Payments' pages: the office's payments and ledgers (``office``), the payer's (``portal``),
and what payment providers call (``public``)."""
