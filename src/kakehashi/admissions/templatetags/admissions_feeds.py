"""The participant's calendar feed on "My programs":
``{% participant_feeds participant current earlier as feeds %}``."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import template
from django.http import HttpRequest

from kakehashi.admissions.feeds import participant_feed_url
from kakehashi.admissions.models import Participant
from kakehashi.catalog.feeds import FeedLink
from kakehashi.network.models import Network

register = template.Library()


@dataclass(frozen=True)
class ParticipantFeed:
    participant: Participant
    network: Network
    link: FeedLink


@register.simple_tag(takes_context=True)
def participant_feeds(
    context: dict[str, Any], participant: Participant | None, *card_lists: Iterable[Any]
) -> list[ParticipantFeed]:
    """The feed of ``participant`` (the page's owner, through the signed link) or else of
    each participant whose enrollments the page's cards show (the account's own)."""
    request: HttpRequest | None = context.get("request")
    if request is None:
        return []
    owners: dict[int, tuple[Participant, Network]] = {}
    if isinstance(participant, Participant):
        owners[participant.pk] = (participant, participant.network)
    else:
        for cards in card_lists:
            for card in cards or ():
                # The cards' queries fetched the program's network, not the participant's
                # (the same one: a participant applies within one network).
                enrollment = card.enrollment
                network = enrollment.cohort.program.network
                owners.setdefault(enrollment.participant_id, (enrollment.participant, network))
    return [
        ParticipantFeed(
            participant=owner,
            network=network,
            link=FeedLink(participant_feed_url(owner, absolute_url=request.build_absolute_uri)),
        )
        for owner, network in owners.values()
    ]
