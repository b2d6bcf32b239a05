"""Attendance arithmetic and the certificate's words."""

from __future__ import annotations

import io

from pypdf import PdfReader

from server import pdf
from server.domain.certificates import certificate, hours_text, in_room, live, overlap_minutes


def test_attendance_is_time_in_the_room_while_a_session_was_live() -> None:
    # In 9:00-10:00 and 10:30-open; sessions live 9:30-11:00 and 14:00-(still live at 14:45).
    room = in_room([(9 * 3600, "in"), (10 * 3600, "out"), (10.5 * 3600, "in"), (10.6 * 3600, "in")], 14.75 * 3600)
    assert room == [(9 * 3600, 10 * 3600), (10.5 * 3600, 14.75 * 3600)]
    sessions = live([(9.5 * 3600, 11 * 3600), (14 * 3600, None), (None, None)], 14.75 * 3600)
    assert sessions == [(9.5 * 3600, 11 * 3600), (14 * 3600, 14.75 * 3600)]
    # 30 min (9:30-10:00) + 30 min (10:30-11:00) + 45 min (14:00-14:45).
    assert overlap_minutes(room, sessions) == 105
    assert overlap_minutes(room, []) == 0
    assert in_room([(5.0, "out")], 10.0) == []
    # Overlapping sessions (two rooms live at once) are not counted twice.
    assert overlap_minutes([(0, 3600)], [(0, 1800), (900, 2700)]) == 45


def test_certificates_in_portuguese_and_polish_with_their_code() -> None:
    assert hours_text(150, "pt-BR") == "2,5" and hours_text(150, "en") == "2.5"
    pt = certificate("pt-BR", name="Maria das Graças", event="13ª Conferência Municipal", minutes=390,
                     date="18/06/2026", code="ABCD-EFGH-JKLM", verify_url="https://x/verify/ABCD-EFGH-JKLM")
    pl = certificate("pl", name="Łucja Żółkiewska", event="X Konferencja", minutes=60, date="18.06.2026",
                     code="ABCD-EFGH-JKLM", verify_url="https://x/verify/ABCD-EFGH-JKLM")
    reader = PdfReader(io.BytesIO(pdf.render_pages([pt, pl], "Plenária", "Certificados")))
    first, second = (page.extract_text().replace("\n", " ") for page in reader.pages)
    assert "Certificado de participação" in first
    assert "Certificamos que Maria das Graças participou da 13ª Conferência Municipal, com carga horária de 6,5 " \
        "horas, em 18/06/2026." in first
    assert "Código de verificação: ABCD-EFGH-JKLM" in first
    assert "Zaświadczenie o udziale" in second and "Łucja Żółkiewska" in second and "1,0 godzin" in second
