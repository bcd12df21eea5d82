"""Delivery's pages: teaching, attendance and completion in the office (``office``),
and checking in to a session in the portal (``portal``)."""
