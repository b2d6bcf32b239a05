"""The domain's pure renderers the web layer uses, offered by the service layer.

The web reaches the domain only through services (tests/unit/test_layers.py). These are
plain functions over plain values, importable by name so the heavy-work process
(server/web/heavy.py) can run them off the event loop.
"""

from __future__ import annotations

from server.domain.ata import LABELS as ATA_LABELS
from server.domain.ata import language as ata_language
from server.domain.audit import to_csv as audit_csv
from server.domain.certificates import hours_text
from server.domain.certificates import language as certificate_language
from server.domain.plurals import form as plural_form
from server.domain.spreadsheet import to_csv as spreadsheet_csv
from server.domain.stream import hls_origin

__all__ = ["ATA_LABELS", "ata_language", "audit_csv", "certificate_language", "hls_origin", "hours_text", "plural_form",
           "spreadsheet_csv"]
