from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import ConsultationFactory, ReportFactory


@pytest.fixture
def closed():
    """A consultation closed ten days ago with its outcome written and not yet published."""
    now = timezone.now()
    return ConsultationFactory(
        opens_at=now - timedelta(days=40),
        closes_at=now - timedelta(days=10),
        you_said="You asked for **long-term** funding.",
        we_did="We will campaign for a ten-year settlement.",
        final_report=ReportFactory(title="Clusters: the final report"),
    )
