"""What every app's pages share: the office's guard and refusals (``office``), the form
base that shows a service's refusal beside its fields (``forms``), and how pages write
money and shares (``formatting``).

It lives in core so that no app imports another app's views: an app's pages import
this toolkit, their own app, and the domain lookups of the apps below them.
"""
