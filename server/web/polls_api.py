"""HTTP routes of polls, elections, exports, the ballot box of secret polls and delegate credentials.

Organizer routes take `Authorization: Bearer <organizer secret>` (see
server.web.api). Some routes are public on purpose: a secret poll's ballot box
(its trackers, a tracker lookup that answers found or not, its anonymised
ballots once counted) and the recount script. Printable credential pages draw a
QR code per credential, seconds of CPU for a few thousand: they are the
organizer's, capped at MAX_CREDENTIALS_PER_PAGE, and drawn in the worker process
of server/web/heavy.py.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import segno
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from server import inbound, recount
from server.errors import InvalidMessage, NotFound
from server.web import urls  # noqa: F401  (registers the {name:id} path convertor)
from server.web.api import (
    MAX_BODY,
    bearer_secret,
    body_of,
    csv_download,
    heavy_response,
    json_download,
    json_errors,
    organizer_event,
)
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
    return await json_download(request, data, f"poll-{_poll_id(request)}.json")


@json_errors
async def export_csv(request: Request) -> Response:
    """The result: one row per option (or rating value, word, candidate) with its votes and status."""
    event_id = await organizer_event(request)
    data = await _services(request).polls.export(event_id, _poll_id(request))
    return await _csv(request, result_rows(data), f"poll-{_poll_id(request)}-result.csv")


@json_errors
async def ballots_csv(request: Request) -> Response:
    """Open polls: every ballot with its voter. Secret polls: the anonymised ballots once counted."""
    event_id = await organizer_event(request)
    data = await _services(request).polls.export(event_id, _poll_id(request))
    return await _csv(request, ballot_rows(data), f"poll-{_poll_id(request)}-ballots.csv")


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
    return await csv_download(request, recount.HEADER, rows, f"poll-{_poll_id(request)}-published-ballots.csv")


async def recount_script(request: Request) -> Response:
    """The recount script itself, to run with a plain Python 3 (no install)."""
    return PlainTextResponse(Path(recount.__file__).read_text(encoding="utf-8"), media_type="text/x-python",
                             headers={"content-disposition": 'attachment; filename="recount.py"'})


def result_rows(data: dict[str, Any]) -> list[list[Any]]:
    spec, result = data["poll"]["spec"], data["result"]
    tally = result["tally"]
    if spec["kind"] == "election" and result.get("election") and spec.get("method") == "stv":
        return stv_election_rows(spec, result["election"])
    if spec["kind"] == "election" and result.get("election"):
        rows: list[list[Any]] = [["segment", "candidate_id", "candidate", "votes", "status"]]
        for segment in result["election"]["segments"]:
            for place, key in (("elected", "elected"), ("alternate", "alternates"), ("tied", "tied")):
                for candidate in segment[key]:
                    rows.append([segment["title"], candidate["id"], candidate["name"], candidate["votes"], place])
        return rows
    if spec["kind"] == "ranking" and result.get("ranked"):
        return ranked_rows(spec, result["ranked"], tally)
    if spec["kind"] == "rating":
        return [["rating", "ballots"], *([value, n] for value, n in tally["distribution"].items())]
    if spec["kind"] == "open_text":
        # The words the screens show, then every answer moderation keeps off them.
        rows = [["word", "answers", "status"], *([word, n, "shown"] for word, n in tally["words"])]
        rows += [[word, "", "hidden"] for word in data.get("hidden_words", [])]
        rows += [[a["text"], a["count"], a["status"]] for a in data.get("answers", [])
                 if a["status"] not in ("published", "approved")]
        return rows
    status: dict[str, str] = {}
    for section in result.get("outcome") or []:
        status.update({oid: "selected" for oid in section["selected"]})
        status.update({oid: "tied" for oid in section["tied"]})
    section_of = {oid: s["title"] for s in spec.get("sections", []) for oid in s["option_ids"]}
    # A decision vote: its outcome in the event's language and the arithmetic, on every row.
    decision = result.get("decision")
    names, values = (["decision", "decision_arithmetic"], [decision["label"], decision["explanation"]]) \
        if decision else ([], [])
    rows = [["section", "option_id", "label", "group", "votes", "status", *names]]
    for option in spec.get("options", []):
        oid = option["id"]
        rows.append([section_of.get(oid, ""), oid, option["label"], option["group"], tally["counts"].get(oid, 0),
                     status.get(oid, ""), *values])
    return rows


def stv_election_rows(spec: dict[str, Any], election: dict[str, Any]) -> list[list[Any]]:
    """An STV election: per segment the result (count "result": elected, alternates, ties, with
    first preferences as votes), then every round of each count ("seats", "alternate 1", ...)."""
    label = {o["id"]: o["label"] for o in spec["options"]}
    rows: list[list[Any]] = [["segment", "count", "round", "candidate_id", "candidate", "votes", "status"]]
    for segment in election["segments"]:
        for place, key in (("elected", "elected"), ("alternate", "alternates"), ("tied", "tied")):
            for candidate in segment[key]:
                rows.append([segment["title"], "result", "", candidate["id"], candidate["name"], candidate["votes"],
                             place])
        for count in segment["counts"]:
            name = "seats" if count["for"] == "seats" else f"alternate {count['place']}"
            for counted in count["rounds"]:
                for oid, votes in counted["totals"].items():
                    state = next((k for k in ("elected", "eliminated", "tied") if oid in counted[k]), "")
                    rows.append([segment["title"], name, counted["number"], oid, label.get(oid, oid), votes, state])
    return rows


def ranked_rows(spec: dict[str, Any], ranked: dict[str, Any], tally: dict[str, Any]) -> list[list[Any]]:
    """A ranking poll's count: one row per candidate per round (IRV, STV), else one per place."""
    label = {o["id"]: o["label"] for o in spec["options"]}
    rows: list[list[Any]] = [["round", "place", "option_id", "label", "votes", "status"]]
    for count in ranked["rounds"]:
        for oid, votes in count["totals"].items():
            state = next((k for k in ("elected", "eliminated", "tied") if oid in count[k]), "")
            rows.append([count["number"], "", oid, label.get(oid, oid), votes, state])
    points = tally.get("borda", {}) if ranked["method"] == "borda" else {}
    for place, group in enumerate(ranked["order"], start=1):
        for oid in group:
            state = "selected" if oid in ranked["elected"] else "tied" if oid in ranked["tied"] else ""
            rows.append(["", place, oid, label.get(oid, oid), points.get(oid, ""), state])
    return rows


def ballot_rows(data: dict[str, Any]) -> list[list[Any]]:
    if data["poll"]["secret"]:
        spec = data["poll"]["spec"]
        # Ranked ballots (a ranking poll, an stv election) give each choice its place.
        ranked = spec["kind"] == "ranking" or spec.get("method") == "stv"
        return [list(recount.HEADER), *recount.rows(data["ballots"], ranked=ranked)]
    rows: list[list[Any]] = [["voter", "delegate", "segment", "choices", "rating", "text", "cast_at", "moderation"]]
    for entry in data["ballots"]:
        ballot = entry["ballot"]
        rows.append([entry["voter"], entry["delegate"], entry["segment"], " | ".join(ballot.get("choices", [])),
                     ballot.get("rating", ""), ballot.get("text", ""), entry["cast_at"], entry.get("moderation", "")])
    return rows


async def _csv(request: Request, rows: list[list[Any]], filename: str) -> Response:
    return await csv_download(request, rows[0], rows[1:], filename)


# -- delegate credentials --------------------------------------------------------------


@json_errors
async def list_delegates(request: Request) -> Response:
    event_id = await organizer_event(request)
    return JSONResponse(await _services(request).delegates.listing(event_id))


async def _csv_body(request: Request) -> tuple[str, bool]:
    """The list sent as `text/csv` (`?skip_invalid=1`) or JSON `{"csv": "...", "skip_invalid": bool}`."""
    if request.headers.get("content-type", "").startswith("text/csv"):
        raw = await request.body()
        if len(raw) > MAX_BODY:
            raise InvalidMessage("request body too large", code="too_large", limit=MAX_BODY)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidMessage("the CSV must be UTF-8", code="invalid_csv") from exc
        inbound.check_text(text, "csv")
        return text, request.query_params.get("skip_invalid") in ("1", "true")
    body = await body_of(request)
    text, skip = body.get("csv", ""), body.get("skip_invalid", False)
    if not isinstance(text, str) or not isinstance(skip, bool):
        raise InvalidMessage("csv must be text and skip_invalid true or false", code="invalid_message")
    return text, skip


@json_errors
async def preview_delegates(request: Request) -> Response:
    """Check a list without importing anything: `{rows: [{line, name, segment, problems}], valid, invalid}`."""
    event_id = await organizer_event(request)
    text, _ = await _csv_body(request)
    return JSONResponse(await _services(request).delegates.preview_csv(event_id, text))


@json_errors
async def import_delegates(request: Request) -> Response:
    """Body: `text/csv` (name,segment; header optional) or JSON `{"csv": "..."}`.

    Answers 201 with the credentials and their codes (shown this once), or with
    the printable page when asked with `?format=html`. A row with a problem refuses the
    list (`invalid_csv`, `details.rows`) unless `skip_invalid`: then the good rows are
    imported and the others come back in `skipped`.
    """
    event_id = await organizer_event(request)
    text, skip_invalid = await _csv_body(request)
    html_page = request.query_params.get("format") == "html"
    if html_page and _rows_at_least(text, MAX_CREDENTIALS_PER_PAGE + 1):
        raise _too_many_for_a_page()
    imported = await _services(request).delegates.import_csv(event_id, text, skip_invalid=skip_invalid)
    created = imported["delegates"]
    if html_page:
        return await _credentials_page(request, created)
    return JSONResponse({"delegates": created, "links": [_delegate_link(request, c["code"]) for c in created],
                         "skipped": imported["skipped"]}, status_code=201)


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
    """Print credentials the organizer holds: form field or JSON key `credentials`: [{name, segment, code}].
    A form (the organizer page opens the sheet in a new tab) carries the secret in its `secret` field."""
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise InvalidMessage("request body too large", code="too_large", limit=MAX_BODY)
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        form = parse_qs(raw.decode("utf-8", "replace"))
        await organizer_event(request, form.get("secret", [""])[0])
        items = inbound.loads(form.get("credentials", ["[]"])[0])
    else:
        await organizer_event(request)
        items = (await body_of(request)).get("credentials", [])
    if isinstance(items, list) and len(items) > MAX_CREDENTIALS_PER_PAGE:
        raise _too_many_for_a_page()
    if not isinstance(items, list) or not all(
        isinstance(i, dict) and all(isinstance(i.get(k, ""), str) for k in ("name", "segment", "code"))
        and isinstance(i.get("code"), str) for i in items
    ):
        raise InvalidMessage("credentials must be a list of {name, segment, code}", code="invalid_message")
    return await _credentials_page(request, items)


def _rows_at_least(text: str, count: int) -> bool:
    """Whether the CSV has at least `count` non-blank lines (a cheap bound before parsing)."""
    return sum(1 for line in text.splitlines() if line.strip()) >= count


def _too_many_for_a_page() -> InvalidMessage:
    return InvalidMessage(f"a printable page holds at most {MAX_CREDENTIALS_PER_PAGE} credentials; "
                          "split the list", code="too_many_credentials", limit=MAX_CREDENTIALS_PER_PAGE)


def _base(request: Request) -> str:
    return _services(request).settings.public_url.rstrip("/") or str(request.base_url).rstrip("/")


def _delegate_link(request: Request, code: str) -> str:
    """The participant page; the code rides in the fragment, so it never reaches a server log."""
    return delegate_link(_base(request), request.path_params["code"], code)


def delegate_link(base: str, event_code: str, code: str) -> str:
    return f"{base}/e/{event_code.upper()}#delegate={code}"


async def _credentials_page(request: Request, credentials: list[dict[str, Any]]) -> Response:
    services = _services(request)
    event = await services.conference.event_by_code(request.path_params["code"])
    if event is None:
        raise NotFound("no event with this join code", code="event_not_found")
    return await heavy_response(request, "text/html; charset=utf-8", credentials_html, event, _base(request),
                                credentials)


def credentials_html(event: dict[str, Any], base: str, credentials: list[dict[str, Any]]) -> str:
    """The printable cards (runs in a worker thread: one QR code drawn per credential)."""
    title = html.escape(event["title"])
    cards = []
    for item in credentials:
        link = delegate_link(base, event["code"], item["code"])
        qr = segno.make(link, error="m").svg_inline(scale=3, border=2, omitsize=True)
        cards.append(
            '<article class="credential">'
            f'<p class="event">{title}</p>'
            f'<h2>{html.escape(item.get("name", ""))}</h2>'
            f'<p class="segment">{html.escape(item.get("segment", ""))}</p>'
            f'<div class="qr">{qr}</div>'
            f'<p class="code">{html.escape(item["code"])}</p>'
            f'<p class="link">{html.escape(link)}</p>'
            "</article>"
        )
    return (
        f'<!doctype html><html lang="{html.escape(event["default_lang"])}"><head><meta charset="utf-8">'
        f"<title>{title}: credenciais / mandaty</title>"
        '<link rel="stylesheet" href="/static/css/credentials.css"></head>'
        f'<body><h1 class="sheet-title">{title}</h1><main class="credentials">{"".join(cards)}</main></body></html>'
    )


routes = [
    Route("/api/events/{code}/polls", list_polls),
    Route("/api/events/{code}/polls", create_poll, methods=["POST"]),
    Route("/api/events/{code}/polls/{poll_id:id}", patch_poll, methods=["PATCH"]),
    Route("/api/events/{code}/polls/{poll_id:id}", delete_poll, methods=["DELETE"]),
    Route("/api/events/{code}/polls/{poll_id:id}/export.json", export_json),
    Route("/api/events/{code}/polls/{poll_id:id}/export.csv", export_csv),
    Route("/api/events/{code}/polls/{poll_id:id}/ballots.csv", ballots_csv),
    Route("/api/events/{code}/polls/{poll_id:id}/count", count_poll, methods=["POST"]),
    Route("/api/events/{code}/polls/{poll_id:id}/trackers", ballot_box),
    Route("/api/events/{code}/polls/{poll_id:id}/trackers/{tracker}", check_tracker),
    Route("/api/events/{code}/polls/{poll_id:id}/published-ballots.csv", published_ballots),
    Route("/recount.py", recount_script),
    Route("/api/events/{code}/delegates", list_delegates),
    Route("/api/events/{code}/delegates", import_delegates, methods=["POST"]),
    Route("/api/events/{code}/delegates/preview", preview_delegates, methods=["POST"]),
    Route("/api/events/{code}/delegates/{delegate_id:id}/revoke", revoke_delegate, methods=["POST"]),
    Route("/api/events/{code}/delegates/{delegate_id:id}/reissue", reissue_delegate, methods=["POST"]),
    Route("/api/events/{code}/credentials.html", credentials_page, methods=["POST"]),
]
