from modeltranslation.translator import TranslationOptions, register

from kakehashi.network.models import Center, Network


@register(Network)
class NetworkTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Center)
class CenterTranslation(TranslationOptions):
    fields = ("name", "city", "description", "address")
