"""The shape of a certificate number in a URL, so nothing else is ever looked up."""

from django.urls import register_converter


class CertificateNumberConverter:
    regex = "[A-Za-z0-9-]{1,40}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


# Registered once, when the first URL module that uses it is imported.
register_converter(CertificateNumberConverter, "certificate_number")
