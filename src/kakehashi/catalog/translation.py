from modeltranslation.translator import TranslationOptions, register

from kakehashi.catalog.models import Program


@register(Program)
class ProgramTranslation(TranslationOptions):
    fields = ("name", "description")
