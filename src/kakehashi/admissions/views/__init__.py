"""Admissions' pages: the office's roster and decisions (``office``), applying and a
participant's own pages in the portal (``portal``), and a participant's calendar feed
(``calendar``)."""
