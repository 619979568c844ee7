"""Event kinds are declared once (focushub/timeline/kinds.py): the protocol doc's table is
generated from the declarations, and no service can write an undeclared kind or give a
kind an audience its declaration does not allow. Every event the suite writes is checked
against its payload schema before each flush (tests/conftest.py)."""

import re
from pathlib import Path

import pytest
from django.db import transaction

from focushub.timeline.kinds import KINDS, UndeclaredEvent, markdown_table
from focushub.timeline.models import Event
from focushub.timeline.services import event_record

DOC = Path(__file__).resolve().parents[1] / "docs" / "realtime.md"


def test_the_protocol_doc_lists_exactly_the_declared_kinds():
    text = DOC.read_text()
    documented = re.search(r"<!-- event-kinds:start -->\n(.*?)\n<!-- event-kinds:end -->", text, re.S).group(1)
    assert documented == markdown_table(), "regenerate with: python -m focushub.timeline.kinds"


def test_every_kind_has_a_closed_object_schema():
    for kind in KINDS.values():
        assert kind.payload["type"] == "object" and kind.payload["additionalProperties"] is False, kind.name
        assert set(kind.payload["required"]) <= set(kind.payload["properties"]), kind.name


@pytest.mark.django_db
def test_an_undeclared_kind_or_audience_is_refused_and_writes_nothing(django_user_model):
    user = django_user_model.objects.create_user(email="k@example.com", username="kinds", password=None)
    with pytest.raises(UndeclaredEvent), transaction.atomic():
        event_record(actor_id=user.pk, kind="timer.exploded", payload={})
    with pytest.raises(UndeclaredEvent), transaction.atomic():
        event_record(actor_id=user.pk, kind="user.joined", payload={}, audience=Event.Audience.PUBLIC)
    assert not Event.objects.exists()
