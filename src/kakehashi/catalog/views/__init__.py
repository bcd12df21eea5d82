"""The catalog's pages: the office's (``office``), the public catalog in the portal
(``portal``) and the staff's calendar feeds (``calendar``)."""
