"""Demo polls, created as drafts through the poll service for the presenter to open live.

SONORA13: the deliberation ballot "10 municipal, 2 state, 2 federal proposals",
proposals grouped by the conference's four axes, and the election of delegates
with parity between government and civil society. RAZEM10: a quick yes/no/abstain
vote and a rating of the inaugural lecture, in Polish.
"""

from __future__ import annotations

from typing import Any

from server.service.polls import PollService

EIXOS = {
    "1": "Eixo 1 — Financiamento",
    "2": "Eixo 2 — Gestão do SUAS",
    "3": "Eixo 3 — Controle social e participação",
    "4": "Eixo 4 — Acesso aos serviços e benefícios",
}

MUNICIPAL = [
    ("1", "Garantir no orçamento municipal no mínimo 5% dos recursos livres para a Assistência Social"),
    ("1", "Criar lei municipal que regulamente os benefícios eventuais com valores reajustados anualmente"),
    ("1", "Cofinanciar com recursos próprios as equipes de referência do CRAS e do CREAS"),
    ("1", "Publicar trimestralmente a execução do Fundo Municipal de Assistência Social"),
    ("2", "Realizar concurso público para compor as equipes de referência conforme a NOB-RH/SUAS"),
    ("2", "Implantar plano de educação permanente para trabalhadores do SUAS"),
    ("2", "Informatizar o atendimento do CRAS, integrado ao Cadastro Único"),
    ("2", "Elaborar o diagnóstico socioterritorial do município a cada quatro anos"),
    ("3", "Garantir transporte e alimentação para conselheiros usuários participarem do CMAS"),
    ("3", "Realizar reuniões descentralizadas do CMAS nos bairros e na zona rural"),
    ("3", "Capacitar conselheiros municipais em orçamento e fiscalização"),
    ("3", "Criar fórum municipal permanente de usuários do SUAS"),
    ("4", "Ampliar o horário de atendimento do CRAS para o período noturno uma vez por semana"),
    ("4", "Implantar equipe volante para atender assentamentos e aldeias indígenas"),
    ("4", "Criar serviço de acolhimento para pessoas idosas no município"),
    ("4", "Garantir intérprete de Libras e acessibilidade em todas as unidades do SUAS"),
]
STATE = [
    ("1", "Regularizar o repasse estadual fundo a fundo do cofinanciamento dos serviços"),
    ("2", "Oferecer apoio técnico regional às gestões municipais de pequeno porte"),
    ("3", "Custear a participação de delegados municipais nas conferências estaduais"),
    ("4", "Regionalizar os serviços de média e alta complexidade no interior do estado"),
]
FEDERAL = [
    ("1", "Aprovar a vinculação constitucional de recursos para o SUAS"),
    ("2", "Recompor a tabela do IGD-SUAS e do IGD-PBF"),
    ("3", "Fortalecer o controle social com financiamento específico para os conselhos"),
    ("4", "Ampliar o BPC para famílias com renda per capita de até meio salário mínimo"),
]


def _options(prefix: str, items: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"id": f"{prefix}{n}", "label": label, "group": EIXOS[eixo]} for n, (eixo, label) in enumerate(items, 1)]


def sonora_proposals() -> dict[str, Any]:
    options = _options("m", MUNICIPAL) + _options("e", STATE) + _options("f", FEDERAL)
    return {
        "kind": "multiple",
        "question": "Escolha 10 propostas municipais, 2 estaduais, 2 federais",
        "options": options,
        "sections": [
            {"id": "municipal", "title": "Propostas municipais", "max_picks": 10,
             "option_ids": [o["id"] for o in options if o["id"].startswith("m")]},
            {"id": "estadual", "title": "Propostas estaduais", "max_picks": 2,
             "option_ids": [o["id"] for o in options if o["id"].startswith("e")]},
            {"id": "federal", "title": "Propostas federais", "max_picks": 2,
             "option_ids": [o["id"] for o in options if o["id"].startswith("f")]},
        ],
    }


def sonora_election() -> dict[str, Any]:
    governo = ["Ana Paula Ribeiro (Saúde)", "Carlos Eduardo Nunes (Educação)", "Fernanda Lima (Gerência de AS)",
               "José Aparecido Souza (Finanças)", "Luciana Martins (CRAS Centro)", "Roberto Alves (Administração)"]
    civil = ["Maria das Graças Silva (usuária)", "Antônio Pereira (Pastoral da Criança)",
             "Juliana Costa (trabalhadora do SUAS)", "Sebastião Rocha (APAE)", "Rosângela Dias (usuária)",
             "Pedro Henrique Gomes (associação de moradores)"]
    options = [{"id": f"g{n}", "label": name, "group": "Governo"} for n, name in enumerate(governo, 1)]
    options += [{"id": f"s{n}", "label": name, "group": "Sociedade civil"} for n, name in enumerate(civil, 1)]
    return {
        "kind": "election",
        "question": "Eleição de delegados para a Conferência Estadual de Assistência Social",
        "method": "plurality",
        "options": options,
        "sections": [
            {"id": "governo", "title": "Governo", "seats": 4, "alternates": 2,
             "option_ids": [f"g{n}" for n in range(1, len(governo) + 1)]},
            {"id": "sociedade_civil", "title": "Sociedade civil", "seats": 4, "alternates": 2,
             "option_ids": [f"s{n}" for n in range(1, len(civil) + 1)]},
        ],
    }


RAZEM_VOTE = {
    "kind": "yes_no_abstain",
    "question": "Czy przyjmujemy wnioski konferencji jako stanowisko Stowarzyszenia „RAZEM”?",
    "options": [
        {"id": "yes", "label": "Tak"}, {"id": "no", "label": "Nie"}, {"id": "abstain", "label": "Wstrzymuję się"}
    ],
}
RAZEM_RATING = {
    "kind": "rating",
    "question": "Jak oceniasz wykład „Zmiany w ustawie o pomocy społecznej”?",
    "scale_min": 1,
    "scale_max": 5,
}


async def seed_polls(polls: PollService, event_id: int, code: str) -> None:
    """Create the demo drafts of the event with this join code (none for other codes)."""
    if code == "SONORA13":
        await polls.create_poll(event_id, {"spec": sonora_proposals(), "visibility": "live"})
        await polls.create_poll(event_id, {"spec": sonora_election(), "visibility": "after_close", "secret": True})
    elif code == "RAZEM10":
        await polls.create_poll(event_id, {"spec": RAZEM_VOTE, "visibility": "live"})
        await polls.create_poll(event_id, {"spec": RAZEM_RATING, "visibility": "live"})
