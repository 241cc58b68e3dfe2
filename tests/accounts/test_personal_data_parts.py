"""The personal-data requests gather each app's part through the registry the apps fill."""

import pytest

from accounts import personal_data
from accounts.personal_data import (
    data_subject_find,
    personal_data_counts,
    personal_data_erase,
    personal_data_export,
    personal_data_parts,
)
from comments import personal_data as comments_data
from consultations import personal_data as consultations_data
from notifications import personal_data as notifications_data


def test_it_finds_every_apps_part_in_the_exports_order():
    assert personal_data_parts() == {
        "comments": comments_data,
        "consultations": consultations_data,
        "notifications": notifications_data,
    }


class Notes:
    """A part as an app registers it: a module-like object with the three functions."""

    def __init__(self) -> None:
        self.erased: list[frozenset[str]] = []

    def personal_data_export(self, *, emails, user=None) -> dict:
        return {"notes": [{"about": sorted(emails)}]}

    def personal_data_counts(self, *, emails, user=None) -> dict[str, int]:
        return {"notes": 1}

    def personal_data_erase(self, *, emails, user=None) -> dict[str, int]:
        self.erased.append(frozenset(emails))
        return {"notes_erased": 1}


@pytest.mark.django_db
def test_a_registered_part_is_exported_counted_and_erased(monkeypatch):
    notes = Notes()
    monkeypatch.setitem(personal_data._parts, "a_notes", notes)
    subject = data_subject_find(email="someone@example.org")

    data = personal_data_export(subject=subject)
    counts = personal_data_counts(subject=subject)
    request = personal_data_erase(subject=subject)

    # Parts come in alphabetical order, after the account.
    assert list(data)[3:] == ["account", "a_notes", "comments", "consultations", "notifications"]
    assert data["a_notes"] == {"notes": [{"about": ["someone@example.org"]}]}
    assert ("notes", 1) in counts
    assert notes.erased == [frozenset({"someone@example.org"})]
    assert request.counts["notes_erased"] == 1
