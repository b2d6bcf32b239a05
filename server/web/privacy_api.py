"""The organizer's HTTP routes for participants' data (LGPD, GDPR) and chat retention.

Authorization: `Bearer <organizer secret>`, as for the rest of server/web/api.py.
See docs/privacy.md for what each route keeps and what it erases.
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.errors import InvalidMessage, NotFound
from server.service.exports import iso
from server.web.api import body_of, csv_download, json_download, json_errors, organizer_event
from server.web.services import Services

_PUBLIC_ID = re.compile(r"^[0-9a-f]{1,16}$")
PARTICIPANT_CSV_COLUMNS = ("record", "id", "at", "status", "poll_or_question", "detail")


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _public_id(request: Request) -> str:
    public_id = str(request.path_params["public_id"]).lower()
    if not _PUBLIC_ID.match(public_id):
        raise NotFound("no such participant", code="participant_not_found")
    return public_id


def export_format(request: Request) -> str:
    form = request.query_params.get("format", "json")
    if form not in ("json", "csv"):
        raise InvalidMessage("format must be json or csv", code="invalid_format")
    return form


@json_errors
async def export_participant(request: Request) -> Response:
    """`?format=json` (default) or `csv`: everything stored about one participant."""
    event_id = await organizer_event(request)
    form = export_format(request)
    public_id = _public_id(request)
    data = await _services(request).privacy.export_participant(event_id, public_id)
    name = f"plenaria-{request.path_params['code'].upper()}-participant-{public_id}"
    if form == "json":
        return await json_download(request, data, f"{name}.json")
    return await csv_download(request, PARTICIPANT_CSV_COLUMNS, participant_rows(data), f"{name}.csv")


def participant_rows(data: dict[str, Any]) -> list[list[Any]]:
    """The export as one table: a row per record, its kind in the first column."""
    person = data["participant"]
    rows: list[list[Any]] = [["profile", person["id"], iso(person["joined_at"]), "",
                              "", json.dumps({"name": person["name"], "segment": person["segment"]},
                                             ensure_ascii=False)]]
    for kind in ("messages", "questions"):
        for item in data[kind]:
            rows.append([kind[:-1], item["id"], iso(item["at"]), item["status"], "", item["text"]])
    rows += [["upvote", "", iso(u["at"]), "", u["question"], ""] for u in data["upvotes"]]
    if data["sanction"] is not None:
        rows.append(["sanction", "", iso(data["sanction"]["updated_at"]), "banned" if data["sanction"]["banned"]
                     else "muted", "", json.dumps(data["sanction"])])
    if data["delegate"] is not None:
        d = data["delegate"]
        rows.append(["delegate", "", iso(d["used_at"]), d["status"], "",
                     json.dumps({"name": d["name"], "segment": d["segment"]}, ensure_ascii=False)])
    rows += [["ballot", "", iso(b["cast_at"]), "", b["question"], json.dumps(b["ballot"], ensure_ascii=False)]
             for b in data["ballots"]]
    rows += [["secret_poll_voted", "", "", "", s["question"], ""] for s in data["secret_polls_voted"]]
    rows += [["moderation", m["id"], iso(m["at"]), m["action"], m["target"]["id"], m["note"]]
             for m in data["moderation"]]
    rows += [["presence", p["session"], iso(p["start"]), "", "", f"until {iso(p['end'])}"] for p in data["presence"]]
    rows += [["contribution", c["id"], iso(c["at"]), c["level"], c["eixo"], c["text"]] for c in data["contributions"]]
    return rows


@json_errors
async def delete_participant(request: Request) -> Response:
    """`?messages=anonymise` (default) keeps the texts without their author; `remove` drops them."""
    event_id = await organizer_event(request)
    mode = request.query_params.get("messages", "anonymise")
    result = await _services(request).privacy.delete_participant(event_id, _public_id(request), mode)
    return JSONResponse(result)


@json_errors
async def get_privacy(request: Request) -> Response:
    event_id = await organizer_event(request)
    return JSONResponse(await _services(request).privacy.retention(event_id))


@json_errors
async def put_privacy(request: Request) -> Response:
    """`{"chat_retention_days": N | null}`."""
    event_id = await organizer_event(request)
    return JSONResponse(await _services(request).privacy.set_retention(event_id, await body_of(request)))


@json_errors
async def purge(request: Request) -> Response:
    """Purge this event's chat now: `{"days"?: N, "dry_run"?: bool}` (default: the retention setting)."""
    event_id = await organizer_event(request)
    body = await body_of(request)
    days, dry_run = body.get("days"), body.get("dry_run", False)
    if set(body) - {"days", "dry_run"} or not isinstance(dry_run, bool):
        raise InvalidMessage("purge takes days and dry_run only", code="invalid_message")
    report = await _services(request).privacy.purge(event_id, days=days, dry_run=dry_run)
    return JSONResponse(report.to_dict())


routes = [
    Route("/api/events/{code}/participants/{public_id}/export", export_participant),
    Route("/api/events/{code}/participants/{public_id}", delete_participant, methods=["DELETE"]),
    Route("/api/events/{code}/privacy", get_privacy),
    Route("/api/events/{code}/privacy", put_privacy, methods=["PUT", "PATCH"]),
    Route("/api/events/{code}/privacy/purge", purge, methods=["POST"]),
]
