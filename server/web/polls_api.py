"""HTTP routes of polls, elections, exports, the ballot box of secret polls and delegate credentials.

Organizer routes take `Authorization: Bearer <organizer secret>` (see
server.web.api). Some routes are public on purpose: a secret poll's ballot box
(its trackers, a tracker lookup that answers found or not, its anonymised
ballots once counted, and the recount script), and rendering a printable
credentials page from codes the caller already holds (it stores and reveals
nothing, so it needs no secret and can be opened by a plain form post).
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import segno
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from server import recount
from server.errors import InvalidMessage, NotFound
from server.web.api import MAX_BODY, bearer_secret, body_of, csv_download, json_errors, organizer_event
from server.web.services import Services

MAX_CREDENTIALS_PER_PAGE = 2000


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _poll_id(request: Request) -> int:
    return int(request.path_params["poll_id"])


# -- polls ---------------------------------------------------------------------------


@json_errors
async def list_polls(request: Request) -> Response:
    event_id = await organizer_event(request)
    return JSONResponse(await _services(request).polls.list_polls(event_id))


@json_errors
async def create_poll(request: Request) -> Response:
    event_id = await organizer_event(request)
    created = await _services(request).polls.create_poll(event_id, await body_of(request))
    return JSONResponse(created, status_code=201)


@json_errors
async def patch_poll(request: Request) -> Response:
    event_id = await organizer_event(request)
    body = await body_of(request)
    return JSONResponse(await _services(request).polls.update_poll(event_id, _poll_id(request), body))


@json_errors
async def delete_poll(request: Request) -> Response:
    event_id = await organizer_event(request)
    await _services(request).polls.delete_poll(event_id, _poll_id(request))
    return Response(status_code=204)


@json_errors
async def export_json(request: Request) -> Response:
    event_id = await organizer_event(request)
    data = await _services(request).polls.export(event_id, _poll_id(request))
    return JSONResponse(data, headers=_attachment(f"poll-{_poll_id(request)}.json"))


@json_errors
async def export_csv(request: Request) -> Response:
    """The result: one row per option (or rating value, word, candidate) with its votes and status."""
    event_id = await organizer_event(request)
    data = await _services(request).polls.export(event_id, _poll_id(request))
    return _csv(result_rows(data), f"poll-{_poll_id(request)}-result.csv")


@json_errors
async def ballots_csv(request: Request) -> Response:
    """Open polls: every ballot with its voter. Secret polls: the anonymised ballots once counted."""
    event_id = await organizer_event(request)
    data = await _services(request).polls.export(event_id, _poll_id(request))
    return _csv(ballot_rows(data), f"poll-{_poll_id(request)}-ballots.csv")


@json_errors
async def count_poll(request: Request) -> Response:
    """The organizer secret counts a closed secret poll whose key no server process holds."""
    event_id = await organizer_event(request)
    polls = _services(request).polls
    return JSONResponse(await polls.count_with_escrow(event_id, _poll_id(request), bearer_secret(request)))


# -- the public ballot box of a secret poll ----------------------------------------------


@json_errors
async def ballot_box(request: Request) -> Response:
    view = await _services(request).polls.ballot_box_view(request.path_params["code"], _poll_id(request))
    return JSONResponse(view, headers={"cache-control": "no-store"})


@json_errors
async def check_tracker(request: Request) -> Response:
    polls = _services(request).polls
    found = await polls.check_tracker(request.path_params["code"], _poll_id(request), request.path_params["tracker"])
    return JSONResponse(found, headers={"cache-control": "no-store"})


@json_errors
async def published_ballots(request: Request) -> Response:
    """The anonymised ballots of a counted secret poll, one row per pick (server/recount.py)."""
    rows = await _services(request).polls.published_ballots(request.path_params["code"], _poll_id(request))
    return csv_download(recount.HEADER, rows, f"poll-{_poll_id(request)}-published-ballots.csv")


async def recount_script(request: Request) -> Response:
    """The recount script itself, to run with a plain Python 3 (no install)."""
    return PlainTextResponse(Path(recount.__file__).read_text(encoding="utf-8"), media_type="text/x-python",
                             headers={"content-disposition": 'attachment; filename="recount.py"'})


def result_rows(data: dict[str, Any]) -> list[list[Any]]:
    spec, result = data["poll"]["spec"], data["result"]
    tally = result["tally"]
    if spec["kind"] == "election" and result.get("election"):
        rows: list[list[Any]] = [["segment", "candidate_id", "candidate", "votes", "status"]]
        for segment in result["election"]["segments"]:
            for place, key in (("elected", "elected"), ("alternate", "alternates"), ("tied", "tied")):
                for candidate in segment[key]:
                    rows.append([segment["title"], candidate["id"], candidate["name"], candidate["votes"], place])
        return rows
    if spec["kind"] == "rating":
        return [["rating", "ballots"], *([value, n] for value, n in tally["distribution"].items())]
    if spec["kind"] == "open_text":
        return [["word", "answers"], *([word, n] for word, n in tally["words"])]
    status: dict[str, str] = {}
    for section in result.get("outcome") or []:
        status.update({oid: "selected" for oid in section["selected"]})
        status.update({oid: "tied" for oid in section["tied"]})
    section_of = {oid: s["title"] for s in spec.get("sections", []) for oid in s["option_ids"]}
    rows = [["section", "option_id", "label", "group", "votes", "status"]]
    for option in spec.get("options", []):
        oid = option["id"]
        rows.append([section_of.get(oid, ""), oid, option["label"], option["group"], tally["counts"].get(oid, 0),
                     status.get(oid, "")])
    return rows


def ballot_rows(data: dict[str, Any]) -> list[list[Any]]:
    if data["poll"]["secret"]:
        ranked = data["poll"]["spec"]["kind"] == "ranking"
        return [list(recount.HEADER), *recount.rows(data["ballots"], ranked=ranked)]
    rows: list[list[Any]] = [["voter", "delegate", "segment", "choices", "rating", "text", "cast_at"]]
    for entry in data["ballots"]:
        ballot = entry["ballot"]
        rows.append([entry["voter"], entry["delegate"], entry["segment"], " | ".join(ballot.get("choices", [])),
                     ballot.get("rating", ""), ballot.get("text", ""), entry["cast_at"]])
    return rows


def _csv(rows: list[list[Any]], filename: str) -> Response:
    return csv_download(rows[0], rows[1:], filename)


def _attachment(filename: str) -> dict[str, str]:
    return {"content-disposition": f'attachment; filename="{filename}"'}


# -- delegate credentials --------------------------------------------------------------


@json_errors
async def list_delegates(request: Request) -> Response:
    event_id = await organizer_event(request)
    return JSONResponse(await _services(request).delegates.listing(event_id))


@json_errors
async def import_delegates(request: Request) -> Response:
    """Body: `text/csv` (name,segment; header optional) or JSON `{"csv": "..."}`.

    Answers 201 with the credentials and their codes (shown this once), or with
    the printable page when asked with `?format=html`.
    """
    event_id = await organizer_event(request)
    if request.headers.get("content-type", "").startswith("text/csv"):
        raw = await request.body()
        if len(raw) > MAX_BODY:
            raise InvalidMessage("request body too large", code="too_large")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidMessage("the CSV must be UTF-8", code="invalid_csv") from exc
    else:
        text = (await body_of(request)).get("csv", "")
        if not isinstance(text, str):
            raise InvalidMessage("csv must be text", code="invalid_message")
    created = await _services(request).delegates.import_csv(event_id, text)
    if request.query_params.get("format") == "html":
        return await _credentials_page(request, created)
    return JSONResponse({"delegates": created, "links": [_delegate_link(request, c["code"]) for c in created]},
                        status_code=201)


@json_errors
async def revoke_delegate(request: Request) -> Response:
    event_id = await organizer_event(request)
    delegate_id = int(request.path_params["delegate_id"])
    return JSONResponse(await _services(request).delegates.revoke(event_id, delegate_id))


@json_errors
async def reissue_delegate(request: Request) -> Response:
    event_id = await organizer_event(request)
    delegate_id = int(request.path_params["delegate_id"])
    reissued = await _services(request).delegates.reissue(event_id, delegate_id)
    if request.query_params.get("format") == "html":
        return await _credentials_page(request, [reissued])
    return JSONResponse(reissued | {"link": _delegate_link(request, reissued["code"])})


@json_errors
async def credentials_page(request: Request) -> Response:
    """Render credentials the caller holds: form field or JSON key `credentials`: [{name, segment, code}]."""
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise InvalidMessage("request body too large", code="too_large")
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        field = parse_qs(raw.decode("utf-8", "replace")).get("credentials", ["[]"])[0]
    else:
        field = json.dumps((await body_of(request)).get("credentials", []))
    try:
        items = json.loads(field)
    except ValueError as exc:
        raise InvalidMessage("credentials must be a JSON list", code="invalid_message") from exc
    if not isinstance(items, list) or len(items) > MAX_CREDENTIALS_PER_PAGE or not all(
        isinstance(i, dict) and all(isinstance(i.get(k, ""), str) for k in ("name", "segment", "code")) for i in items
    ):
        raise InvalidMessage("credentials must be a list of {name, segment, code}", code="invalid_message")
    return await _credentials_page(request, items)


def _base(request: Request) -> str:
    return _services(request).settings.public_url.rstrip("/") or str(request.base_url).rstrip("/")


def _delegate_link(request: Request, code: str) -> str:
    """The participant page; the code rides in the fragment, so it never reaches a server log."""
    return f"{_base(request)}/e/{request.path_params['code'].upper()}#delegate={code}"


async def _credentials_page(request: Request, credentials: list[dict[str, Any]]) -> Response:
    event = await _services(request).conference.event_by_code(request.path_params["code"])
    if event is None:
        raise NotFound("no event with this join code", code="event_not_found")
    title = html.escape(event["title"])
    cards = []
    for item in credentials:
        link = _delegate_link(request, item["code"])
        qr = segno.make(link, error="m").svg_inline(scale=3, border=2, omitsize=True)
        cards.append(
            '<article class="credential">'
            f'<p class="event">{title}</p>'
            f'<h2>{html.escape(item["name"])}</h2>'
            f'<p class="segment">{html.escape(item.get("segment", ""))}</p>'
            f'<div class="qr">{qr}</div>'
            f'<p class="code">{html.escape(item["code"])}</p>'
            f'<p class="link">{html.escape(link)}</p>'
            "</article>"
        )
    page = (
        f'<!doctype html><html lang="{html.escape(event["default_lang"])}"><head><meta charset="utf-8">'
        f"<title>{title}: credenciais / mandaty</title>"
        '<link rel="stylesheet" href="/static/css/credentials.css"></head>'
        f'<body><main class="credentials">{"".join(cards)}</main></body></html>'
    )
    return HTMLResponse(page, headers={"cache-control": "no-store"})


routes = [
    Route("/api/events/{code}/polls", list_polls),
    Route("/api/events/{code}/polls", create_poll, methods=["POST"]),
    Route("/api/events/{code}/polls/{poll_id:int}", patch_poll, methods=["PATCH"]),
    Route("/api/events/{code}/polls/{poll_id:int}", delete_poll, methods=["DELETE"]),
    Route("/api/events/{code}/polls/{poll_id:int}/export.json", export_json),
    Route("/api/events/{code}/polls/{poll_id:int}/export.csv", export_csv),
    Route("/api/events/{code}/polls/{poll_id:int}/ballots.csv", ballots_csv),
    Route("/api/events/{code}/polls/{poll_id:int}/count", count_poll, methods=["POST"]),
    Route("/api/events/{code}/polls/{poll_id:int}/trackers", ballot_box),
    Route("/api/events/{code}/polls/{poll_id:int}/trackers/{tracker}", check_tracker),
    Route("/api/events/{code}/polls/{poll_id:int}/published-ballots.csv", published_ballots),
    Route("/recount.py", recount_script),
    Route("/api/events/{code}/delegates", list_delegates),
    Route("/api/events/{code}/delegates", import_delegates, methods=["POST"]),
    Route("/api/events/{code}/delegates/{delegate_id:int}/revoke", revoke_delegate, methods=["POST"]),
    Route("/api/events/{code}/delegates/{delegate_id:int}/reissue", reissue_delegate, methods=["POST"]),
    Route("/api/events/{code}/credentials.html", credentials_page, methods=["POST"]),
]
