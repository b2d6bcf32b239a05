"""Agenda start times: HH:MM or an ISO date-time in the event's time zone, anything else refused."""

from __future__ import annotations

import pytest

from server.domain.agenda import normalise_start
from server.errors import InvalidCommand


@pytest.mark.parametrize(
    ("typed", "zone", "stored"),
    [
        ("", "America/Campo_Grande", ""),
        ("9:30", "America/Campo_Grande", "09:30"),
        ("14:00", "Europe/Warsaw", "14:00"),
        ("2024-06-13T10:00", "Europe/Warsaw", "2024-06-13T10:00"),
        ("2024-06-13 10:00:30", "Europe/Warsaw", "2024-06-13T10:00"),
        ("2024-06-13T08:00Z", "Europe/Warsaw", "2024-06-13T10:00"),
        ("2024-06-13T10:00-03:00", "America/Sao_Paulo", "2024-06-13T10:00"),
        ("2024-06-13T10:00-03:00", "Europe/Warsaw", "2024-06-13T15:00"),
    ],
)
def test_accepted_times_are_stored_as_wall_time_of_the_event(typed: str, zone: str, stored: str) -> None:
    assert normalise_start(typed, zone) == stored


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("amanhã de manhã", "America/Campo_Grande"),
        ("25:00", "America/Campo_Grande"),
        ("9h30", "America/Campo_Grande"),
        ("2024-02-30T10:00", "Europe/Warsaw"),
        ("2024-03-31T02:30", "Europe/Warsaw"),  # clocks go from 02:00 to 03:00 that night
        ("13/06/2024 10:00", "Europe/Warsaw"),
    ],
)
def test_anything_else_is_refused_naming_the_value_and_the_zone(typed: str, zone: str) -> None:
    with pytest.raises(InvalidCommand) as caught:
        normalise_start(typed, zone)
    assert caught.value.code == "invalid_time"
    assert caught.value.details == {"field": "starts_at", "value": typed, "timezone": zone}
