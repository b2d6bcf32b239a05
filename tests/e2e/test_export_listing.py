"""Every export route the API has is in the organizer's export listing (which the organizer page
turns into buttons), and every address the listing gives answers with a file."""

from __future__ import annotations

import re

import httpx

from server.web import exports_api, polls_api, privacy_api, qa_api
from tests.client import Client
from tests.harness import Running, create_event

EXPORT = re.compile(r"/(export|exports/|report|audit|ballots)")
PARAMS = {"{code}": "{code}", "{poll_id:id}": "{poll}", "{public_id}": "{participant}"}


def export_routes() -> set[str]:
    found = set()
    for module in (exports_api, polls_api, privacy_api, qa_api):
        for route in module.routes:
            methods = getattr(route, "methods", None) or set()
            if "GET" in methods and EXPORT.search(route.path) and not route.path.endswith("/exports"):
                path = route.path
                for raw, name in PARAMS.items():
                    path = path.replace(raw, name)
                found.add(path)
    return found


async def test_the_listing_names_every_export_route_and_each_answers(server: Running) -> None:
    created = await create_event(server.base, code="EXP1")
    secret = created["organizer_secret"]
    async with httpx.AsyncClient(base_url=server.base, headers={"authorization": f"Bearer {secret}"}) as http:
        poll = (await http.post("/api/events/EXP1/polls", json={"spec": {"kind": "yes_no_abstain",
                                                                        "question": "Aprova?"}})).json()
        listing = (await http.get("/api/events/EXP1/exports")).json()["exports"]
        addresses = [url for formats in listing.values() for url in formats.values()]
        templates = {url.split("?")[0].replace("/api/events/EXP1", "/api/events/{code}") for url in addresses}
        assert templates == export_routes()
        participant = await Client(server.ws_url, "EXP1").connect()
        public_id = participant.welcome["participant"]["id"]
        await participant.close()
        for url in addresses:
            answer = await http.get(url.replace("{poll}", str(poll["id"])).replace("{participant}", public_id))
            assert answer.status_code == 200, (url, answer.text)
