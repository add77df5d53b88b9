import datetime

import pytest

from .followup_rows import event_make

pytestmark = pytest.mark.django_db


def test_the_sitemap_lists_published_events_upcoming_and_past(client):
    event_make(starts_in=datetime.timedelta(days=9), slug="webinaire-a-venir")
    event_make(starts_in=-datetime.timedelta(days=10), slug="webinaire-passe")
    event_make(starts_in=datetime.timedelta(days=3), slug="brouillon", is_published=False)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    xml = response.content.decode()
    assert "/evenements/webinaire-a-venir/</loc>" in xml
    assert "/evenements/webinaire-passe/</loc>" in xml
    assert "/evenements/brouillon/" not in xml
    # The other sections are still there.
    assert "/faq/</loc>" in xml
