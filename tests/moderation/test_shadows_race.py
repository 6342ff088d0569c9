"""Owners racing on a journal's shadow rule set, on two real database
connections (PostgreSQL only, as tests/moderation/test_race.py)."""

import pytest
from django.db import connection

from moderation import services as moderation
from moderation import shadows
from moderation.models import AuditEntry, RuleSetVersion, ShadowRuleSet
from tests.moderation.test_race import race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs two real connections to PostgreSQL; CI runs it there",
    ),
]


def test_two_shadows_started_at_once_leave_one_running(journal_a):
    owner = journal_a.owner

    results = race(
        lambda: shadows.start_shadow(
            journal=journal_a, proposal={"link_limit": 1}, by=owner
        ),
        lambda: shadows.start_shadow(
            journal=journal_a, proposal={"link_limit": 2}, by=owner
        ),
    )

    assert all(isinstance(result, ShadowRuleSet) for result in results), results
    states = sorted(ShadowRuleSet.objects.values_list("state", flat=True))
    assert states == ["retired", "shadow"]
    assert AuditEntry.objects.filter(action="shadow.retire").count() == 1


def test_promote_and_retire_at_once_do_exactly_one(journal_a):
    owner = journal_a.owner
    shadow = shadows.start_shadow(
        journal=journal_a, proposal={"link_limit": 1}, by=owner
    )
    versions = RuleSetVersion.objects.count()

    results = race(
        lambda: shadows.promote_shadow(shadow=shadow, by=owner),
        lambda: shadows.retire_shadow(shadow=shadow, by=owner),
    )

    refused = [r for r in results if isinstance(r, moderation.NotAllowed)]
    assert len(refused) == 1 and refused[0].code == "shadow.ended"
    shadow.refresh_from_db()
    journal_a.refresh_from_db()
    if shadow.state == ShadowRuleSet.State.PROMOTED:
        assert journal_a.link_limit == 1
        assert RuleSetVersion.objects.count() == versions + 1
    else:
        assert journal_a.link_limit != 1
        assert RuleSetVersion.objects.count() == versions
    assert (
        AuditEntry.objects.filter(
            action__in=["shadow.promote", "shadow.retire"]
        ).count()
        == 1
    )
