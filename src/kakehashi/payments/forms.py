"""Forms of the office's payment pages. They only carry what was typed: the services check
amounts and currencies, and their refusals are shown beside the field they name."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kakehashi.core.errors import DomainError
from kakehashi.payments.models import Method, RefundRule
from kakehashi.payments.services import OFFLINE_METHODS


class LedgerForm(forms.Form):
    def show_refusal(self, error: DomainError) -> None:
        """The service's message above the form, and its word on each field it names."""
        self.add_error(None, error.message)
        for name, text in error.fields.items():
            if name in self.fields:
                self.add_error(name, text)


class PaymentForm(LedgerForm):
    amount = forms.CharField(label=_("amount"), max_length=40)
    method = forms.ChoiceField(
        label=_("method"),
        choices=[(method.value, method.label) for method in OFFLINE_METHODS],
        initial=Method.BANK_TRANSFER,
    )
    external_reference = forms.CharField(
        label=_("bank slip or cash receipt"), max_length=200, required=False
    )


class DiscountForm(LedgerForm):
    amount = forms.CharField(label=_("amount"), max_length=40)
    reason = forms.CharField(label=_("reason"), max_length=2000)


class RefundForm(LedgerForm):
    amount = forms.CharField(
        label=_("amount"),
        max_length=40,
        required=False,
        help_text=_("Leave empty to refund all that is left of the payment."),
    )
    reason = forms.CharField(label=_("reason"), max_length=2000)


class RefundRuleForm(LedgerForm):
    rule = forms.ChoiceField(label=_("refund rule"), choices=RefundRule.choices)
