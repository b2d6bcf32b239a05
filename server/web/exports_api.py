"""The organizer's exports of an event (CSV and JSON) and its printable report (HTML).

Authorization: `Bearer <organizer secret>`. CSV files are UTF-8 without a
byte-order mark, RFC 4180 quoted, formula-injection safe
(server/domain/spreadsheet.py).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.service import deliberation as deliberating
from server.service import exports
from server.service import speakers as speaking
from server.web import report
from server.web.api import csv_download, heavy_response, json_download, json_errors, organizer_event
from server.web.privacy_api import export_format
from server.web.services import Services


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _name(request: Request, what: str, ext: str) -> str:
    return f"plenaria-{request.path_params['code'].upper()}-{what}.{ext}"


async def _json(request: Request, what: str, data: Any) -> Response:
    return await json_download(request, data, _name(request, what, "json"))


async def _csv(request: Request, what: str, header: tuple[str, ...], rows: list[list[Any]]) -> Response:
    return await csv_download(request, header, rows, _name(request, what, "csv"))


@json_errors
async def listing(request: Request) -> Response:
    """Links to every export of the event."""
    await organizer_event(request)
    base = f"/api/events/{request.path_params['code'].upper()}"
    files: dict[str, Any] = {
        name: {"json": f"{base}/exports/{name}?format=json", "csv": f"{base}/exports/{name}?format=csv"}
        for name in ("messages", "polls", "delegates", "speakers", "destaques", "procedure", "contributions",
                     "proposals")
    }
    files["audit"] = {"json": f"{base}/audit?format=json", "csv": f"{base}/audit?format=csv"}
    files["report"] = {"html": f"{base}/report"}
    # Per poll and per participant: address templates, `{poll}` a poll id, `{participant}` a public id.
    files["poll"] = {"json": f"{base}/polls/{{poll}}/export.json", "csv": f"{base}/polls/{{poll}}/export.csv",
                     "ballots": f"{base}/polls/{{poll}}/ballots.csv"}
    files["participant"] = {"json": f"{base}/participants/{{participant}}/export?format=json",
                            "csv": f"{base}/participants/{{participant}}/export?format=csv"}
    return JSONResponse({"exports": files})


@json_errors
async def messages(request: Request) -> Response:
    event_id = await organizer_event(request)
    form = export_format(request)
    records = await _services(request).exports.messages(event_id)
    if form == "json":
        return await _json(request, "messages", {"messages": records})
    return await _csv(request, "messages", exports.MESSAGE_COLUMNS, exports.message_rows(records))


@json_errors
async def polls(request: Request) -> Response:
    """Every opened poll's result; the JSON links each poll's own export (with its ballots)."""
    event_id = await organizer_event(request)
    form = export_format(request)
    entries = await _services(request).exports.poll_results(event_id)
    if form == "csv":
        return await _csv(request, "polls", exports.POLL_COLUMNS, exports.poll_rows(entries))
    base = f"/api/events/{request.path_params['code'].upper()}/polls"
    for entry in entries:
        poll_id = entry["poll"]["id"]
        entry["files"] = {"json": f"{base}/{poll_id}/export.json", "csv": f"{base}/{poll_id}/export.csv",
                          "ballots": f"{base}/{poll_id}/ballots.csv"}
    return await _json(request, "polls", {"polls": entries})


@json_errors
async def delegates(request: Request) -> Response:
    """The elected delegates, alternates and ties of every election poll."""
    event_id = await organizer_event(request)
    form = export_format(request)
    elections = await _services(request).exports.elections(event_id)
    if form == "json":
        return await _json(request, "delegates", {"elections": elections})
    return await _csv(request, "delegates", exports.DELEGATE_COLUMNS, exports.delegate_rows(elections))


@json_errors
async def speakers(request: Request) -> Response:
    """Every speech of every speakers' list (JSON: the lists with their queues and totals)."""
    event_id = await organizer_event(request)
    form = export_format(request)
    export = await _services(request).speakers.export(event_id)
    if form == "json":
        return await _json(request, "speakers", {"speakers": export["speakers"]})
    return await _csv(request, "speakers", speaking.SPEECH_COLUMNS, speaking.speech_rows(export))


@json_errors
async def destaques(request: Request) -> Response:
    """Every destaque round and moção with who marked and who signed (CSV: one row per matter voted)."""
    event_id = await organizer_event(request)
    form = export_format(request)
    export = await _services(request).deliberation.export(event_id)
    if form == "json":
        return await _json(request, "destaques", export)
    return await _csv(request, "destaques", deliberating.MATTER_COLUMNS, deliberating.matter_rows(export))


@json_errors
async def procedure(request: Request) -> Response:
    """The procedure's audit log: every request for the floor and every decision of the chair."""
    event_id = await organizer_event(request)
    form = export_format(request)
    export = await _services(request).speakers.export(event_id)
    if form == "json":
        return await _json(request, "procedure", {"log": export["log"]})
    return await _csv(request, "procedure", speaking.LOG_COLUMNS, speaking.log_rows(export))


async def _preconference(request: Request, what: str) -> Response:
    """The pre-conferences' contributions or consolidated proposals (with their origins)."""
    event_id = await organizer_event(request)
    form = export_format(request)
    service = _services(request).preconference
    if form == "json":
        state = await service.state(event_id)
        return await _json(request, what, {what: state[what], "meetings": state["meetings"]})
    contributions, proposals = await service.export_rows(event_id)
    rows = contributions if what == "contributions" else proposals
    return await _csv(request, what, tuple(rows[0]), rows[1:])


@json_errors
async def contributions(request: Request) -> Response:
    return await _preconference(request, "contributions")


@json_errors
async def proposals(request: Request) -> Response:
    return await _preconference(request, "proposals")


@json_errors
async def conference_report(request: Request) -> Response:
    """The printable report (HTML, no script); print it to PDF from the browser."""
    event_id = await organizer_event(request)
    services = _services(request)
    data = await services.exports.report(event_id)
    base = services.settings.public_url.rstrip("/") or str(request.base_url).rstrip("/")
    return await heavy_response(request, "text/html; charset=utf-8", report.render, data, base_url=base)


routes = [
    Route("/api/events/{code}/exports", listing),
    Route("/api/events/{code}/exports/messages", messages),
    Route("/api/events/{code}/exports/polls", polls),
    Route("/api/events/{code}/exports/delegates", delegates),
    Route("/api/events/{code}/exports/speakers", speakers),
    Route("/api/events/{code}/exports/destaques", destaques),
    Route("/api/events/{code}/exports/procedure", procedure),
    Route("/api/events/{code}/exports/contributions", contributions),
    Route("/api/events/{code}/exports/proposals", proposals),
    Route("/api/events/{code}/report", conference_report),
]
