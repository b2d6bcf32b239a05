"""Demo pre-conferences of SONORA13: two preparatory meetings, as the CMAS of Sonora held them
(debate groups of SUAS workers, an online consultation of users and civil society), with a few
contributions sent from their own join codes and a first consolidation, so the organizer page,
the meetings' participant pages and the exports show the whole flow."""

from __future__ import annotations

import hashlib
from typing import Any

from server.demo_polls import EIXOS
from server.web.services import Services

MEETINGS = [
    {"code": "SONORA13T", "place": "Grupo de debate dos trabalhadores do SUAS", "date": "2021-08-10",
     "area": "Trabalhadores do SUAS"},
    {"code": "SONORA13U", "place": "Enquete virtual com usuários e sociedade civil", "date": "2021-08-12",
     "area": "Usuários do SUAS"},
]
# (meeting, device, text, eixo, level)
CONTRIBUTIONS = [
    (0, "t1", "Ampliar a equipe de referência do CRAS com concurso público", "1", "municipal"),
    (0, "t2", "Realizar concurso público para as equipes do CRAS e do CREAS", "1", "municipal"),
    (1, "u1", "Mais técnicos no CRAS para atender as famílias sem fila", "1", "municipal"),
    (1, "u2", "Garantir transporte para os usuários da zona rural participarem do conselho", "3", "municipal"),
    (1, "u3", "Regularizar o repasse do cofinanciamento estadual fundo a fundo", "1", "state"),
    (0, "t3", "Aprovar a PEC que vincula recursos à Assistência Social", "1", "federal"),
]


async def seed_preconferences(services: Services, event_id: int) -> None:
    """The meetings of SONORA13 with their contributions and a first consolidation."""
    pre = services.preconference
    await pre.set_eixos(event_id, list(EIXOS.values()))
    codes = []
    for fields in MEETINGS:
        _, created = await pre.add_meeting(event_id, fields)
        codes.append(created.event["code"])
    ids: list[int] = []
    for meeting, device, text, eixo, level in CONTRIBUTIONS:
        # A participant of the meeting, as the participant page would join (a stable demo device).
        who = await services.conference.join(codes[meeting], hashlib.sha256(device.encode()).hexdigest()[:32], "")
        sent: dict[str, Any] = await pre.submit(who, f"demo-{device}", text, EIXOS[eixo], level)
        ids.append(sent["contribution"]["id"])
    # A first consolidation: the three contributions asking for more CRAS staff, merged.
    await pre.merge(event_id, {"contributions": ids[:3],
                               "text": "Ampliar as equipes de referência do CRAS e do CREAS por concurso público"})
    await pre.merge(event_id, {"contributions": [ids[4]]})
