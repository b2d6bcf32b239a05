"""A labelled table of realistic messages in pt, pl, en and es.

Each row: the message, the expected verdict, and every expected reason as
(rule, detail, fragment) where fragment is the exact original text the span
must highlight ("" for reasons that are not about a span). The reasons must
match exactly, so a false positive anywhere in a row fails it.
"""

from __future__ import annotations

import pytest

from moderation import Moderator, Verdict

ALLOW, REVIEW, BLOCK = Verdict.ALLOW, Verdict.REVIEW, Verdict.BLOCK

Row = tuple[str, Verdict, list[tuple[str, str, str]]]

CLEAN: list[Row] = [
    ("Bom dia! Quando será a próxima plenária da Conferência Municipal de Assistência Social?", ALLOW, []),
    ("Como faço para me inscrever no CadÚnico pelo CRAS do meu bairro?", ALLOW, []),
    ("Qual o prazo para enviar as 10 propostas do eixo 2?", ALLOW, []),
    ("Em 2023 foram 1.250 famílias atendidas; em 2024, 1.480. Parabéns à equipe!", ALLOW, []),
    ("Votação: 120 votos a favor, 45 contra e 3 abstenções.", ALLOW, []),
    ("Foram 10 propostas e 2.345 votos em 2024", ALLOW, []),
    ("Número do processo 2024/000123, protocolo 55.123", ALLOW, []),
    ("Precisamos de mais recursos para cuidar das pessoas idosas.", ALLOW, []),
    ("Vamos escutar as usuárias do serviço antes de votar.", ALLOW, []),
    ("Dzień dobry, kiedy zacznie się panel o pomocy społecznej?", ALLOW, []),
    ("Ile pieniędzy trafi do ośrodków pomocy społecznej w 2025 roku?", ALLOW, []),
    ("Pora zacząć głosowanie nad uchwałą.", ALLOW, []),
    ("Which class of benefits covers housing assistance?", ALLOW, []),
    ("Could you repeat the question about the food bank, please?", ALLOW, []),
    ("¿Cuándo se publicarán las cuentas del programa social?", ALLOW, []),
    ("Necesito una computadora para el curso, ¿hay ayudas?", ALLOW, []),
    ("Assistência Social", ALLOW, []),
    ("CRAS e CREAS precisam de mais verba", ALLOW, []),
    ("SUAS", ALLOW, []),
    ("Obrigado.Me ajuda com a inscrição?", ALLOW, []),
    ("Ass.: Maria da Silva, conselheira municipal", ALLOW, []),
]

SCUNTHORPE: list[Row] = [
    ("O computador do CRAS está quebrado há semanas.", ALLOW, []),
    ("A disputa por recursos prejudica a reputação do conselho.", ALLOW, []),
    ("Teve cuscuz no café da manhã da conferência!", ALLOW, []),
    ("A pintura da sede em Piracicaba ficou linda.", ALLOW, []),
    ("Alguém pode tirar uma Xerox da ata?", ALLOW, []),
    ("Houve um arrombamento na sede do CRAS ontem.", ALLOW, []),
    ("o macaco do zoológico fugiu de novo", ALLOW, []),
    ("Moja sukienka i kurtka zostały w szatni.", ALLOW, []),
    ("Na obiad był kurczak z ryżem.", ALLOW, []),
    ("Chuligani zniszczyli świetlicę, trzeba ją wyremontować.", ALLOW, []),
    ("I moved from Scunthorpe to Essex and need social assistance.", ALLOW, []),
    ("The class assistant passed the assessment.", ALLOW, []),
    ("La disputa sobre el presupuesto sigue abierta.", ALLOW, []),
    ("¿El padre putativo también puede pedir la prestación?", ALLOW, []),
    ("Compré una computadora para el centro comunitario.", ALLOW, []),
]

CRITICISM: list[Row] = [
    ("O prefeito mentiu sobre o orçamento da assistência social, isso é uma vergonha!", ALLOW, []),
    ("A secretaria é incompetente e o CRAS está abandonado", ALLOW, []),
    ("Esse governo é um fracasso, a corrupção está acabando com o SUAS.", ALLOW, []),
    ("O vereador é mentiroso e corrupto, queremos transparência já!", ALLOW, []),
    ("Que desgraça, cortaram o benefício de novo.", ALLOW, []),
    ("Rząd okradł pomoc społeczną, to skandal i hańba", ALLOW, []),
    ("Minister kłamie w sprawie budżetu", ALLOW, []),
    ("Ta reforma to kompletna porażka i kompromitacja władz.", ALLOW, []),
    ("This policy is a disgrace and the council failed the poor", ALLOW, []),
    ("The mayor lied to us and should resign.", ALLOW, []),
    ("El alcalde es un corrupto y debe renunciar", ALLOW, []),
    ("La gestión del ayuntamiento es una vergüenza y un fracaso.", ALLOW, []),
]

PROFANITY: list[Row] = [
    ("vai tomar no cu", BLOCK, [("wordlist", "insult:pt", "vai tomar no cu")]),
    ("Vai se foder, prefeito", BLOCK, [("wordlist", "insult:pt", "Vai se foder")]),
    ("vsf", BLOCK, [("wordlist", "insult:pt", "vsf")]),
    ("VTNC seu corno", BLOCK, [("wordlist", "insult:pt", "VTNC"), ("wordlist", "insult:pt", "corno")]),
    ("pqp que reunião chata", REVIEW, [("wordlist", "profanity:pt", "pqp")]),
    ("fdp", BLOCK, [("wordlist", "insult:pt", "fdp")]),
    ("esse cara é um arrombado", BLOCK, [("wordlist", "insult:pt", "arrombado")]),
    ("que babaca", BLOCK, [("wordlist", "insult:pt", "babaca")]),
    ("deixa de ser otário", REVIEW, [("wordlist", "insult:pt", "otário")]),
    ("Isso é uma merda", REVIEW, [("wordlist", "profanity:pt", "merda")]),
    ("puta que pariu, atrasou de novo", BLOCK, [("wordlist", "profanity:pt", "puta que pariu")]),
    ("filho da puta!", BLOCK, [("wordlist", "insult:pt", "filho da puta")]),
    ("caralho, que demora", BLOCK, [("wordlist", "profanity:pt", "caralho")]),
    ("kurwa, znowu opóźnienie", BLOCK, [("wordlist", "profanity:pl", "kurwa")]),
    ("ty chuju", BLOCK, [("wordlist", "insult:pl", "ty chuju")]),
    ("spierdalaj", BLOCK, [("wordlist", "insult:pl", "spierdalaj")]),
    ("pierdolony system", BLOCK, [("wordlist", "profanity:pl", "pierdolony")]),
    ("jebany rząd", BLOCK, [("wordlist", "profanity:pl", "jebany")]),
    ("Jebać to wszystko", BLOCK, [("wordlist", "profanity:pl", "Jebać")]),
    ("ty pizdo", BLOCK, [("wordlist", "insult:pl", "pizdo")]),
    ("ty cwelu", BLOCK, [("wordlist", "insult:pl", "cwelu")]),
    ("ale z ciebie debil", REVIEW, [("wordlist", "insult:pl", "debil")]),
    ("Ty idioto", REVIEW, [("wordlist", "insult:pl", "idioto")]),
    ("ten kretyn znowu gada", BLOCK, [("wordlist", "insult:pl", "kretyn")]),
    ("fuck this council", BLOCK, [("wordlist", "profanity:en", "fuck")]),
    ("what the fucking hell", BLOCK, [("wordlist", "profanity:en", "fucking")]),
    ("you are an asshole", BLOCK, [("wordlist", "insult:en", "asshole")]),
    ("shut up idiot", REVIEW, [("wordlist", "insult:en", "shut up"), ("wordlist", "insult:en", "idiot")]),
    ("this is bullshit", REVIEW, [("wordlist", "profanity:en", "bullshit")]),
    ("hijo de puta", BLOCK, [("wordlist", "insult:es", "hijo de puta")]),
    ("eres un pendejo", BLOCK, [("wordlist", "insult:es", "pendejo")]),
    ("gilipollas", BLOCK, [("wordlist", "insult:es", "gilipollas")]),
    ("vete, cabrón", BLOCK, [("wordlist", "insult:es", "cabrón")]),
    ("qué mierda", REVIEW, [("wordlist", "profanity:es", "mierda")]),
    ("eres un imbécil", REVIEW, [("wordlist", "insult:pt", "imbécil")]),
    ("idiota", REVIEW, [("wordlist", "insult:pt", "idiota")]),
    ("puto", BLOCK, [("wordlist", "insult:es", "puto")]),
]

SLURS_AND_THREATS: list[Row] = [
    ("seu viado", BLOCK, [("wordlist", "slur:pt", "viado")]),
    (
        "volta pra jaula, seu macaco",
        BLOCK,
        [("wordlist", "slur:pt", "volta pra jaula"), ("wordlist", "slur:pt", "seu macaco")],
    ),
    ("pedały", BLOCK, [("wordlist", "slur:pl", "pedały")]),
    ("pedał", REVIEW, [("wordlist", "slur:pl", "pedał")]),
    ("you retard", BLOCK, [("wordlist", "slur:en", "retard")]),
    ("maricón", BLOCK, [("wordlist", "slur:es", "maricón")]),
    ("Vou te matar", BLOCK, [("wordlist", "threat:pt", "Vou te matar")]),
    ("te pego lá fora", BLOCK, [("wordlist", "threat:pt", "te pego lá fora")]),
    ("Zabiję cię", BLOCK, [("wordlist", "threat:pl", "Zabiję cię")]),
    ("wiem gdzie mieszkasz", BLOCK, [("wordlist", "threat:pl", "wiem gdzie mieszkasz")]),
    ("I will kill you", BLOCK, [("wordlist", "threat:en", "I will kill you")]),
    ("I'll kill you", BLOCK, [("wordlist", "threat:en", "I'll kill you")]),
    ("kys", BLOCK, [("wordlist", "threat:en", "kys")]),
    ("I know where you live", BLOCK, [("wordlist", "threat:en", "I know where you live")]),
    ("te voy a matar", BLOCK, [("wordlist", "threat:es", "te voy a matar")]),
    ("Sé dónde vives", BLOCK, [("wordlist", "threat:es", "Sé dónde vives")]),
    ("manda nudes", BLOCK, [("wordlist", "sexual:pt", "manda nudes")]),
    ("buceta", BLOCK, [("wordlist", "sexual:pt", "buceta")]),
]

OBFUSCATED: list[Row] = [
    ("m e r d a", REVIEW, [("wordlist", "profanity:pt", "m e r d a")]),
    ("isso é m.e.r.d.a", REVIEW, [("wordlist", "profanity:pt", "m.e.r.d.a")]),
    ("merdaaaaa", REVIEW, [("wordlist", "profanity:pt", "merdaaaaa")]),
    ("que m*rda", REVIEW, [("wordlist", "profanity:pt", "m*rda")]),
    ("p0rr4", REVIEW, [("wordlist", "profanity:pt", "p0rr4")]),
    ("filho da p*ta", BLOCK, [("wordlist", "insult:pt", "filho da p*ta")]),
    ("p*ta", BLOCK, [("wordlist", "insult:pt", "p*ta")]),
    ("vai tomar no c*", BLOCK, [("wordlist", "insult:pt", "vai tomar no c*")]),
    ("v!ado", BLOCK, [("wordlist", "slur:pt", "v!ado")]),
    ("pùtá", BLOCK, [("wordlist", "insult:pt", "pùtá")]),
    ("f.d.p", BLOCK, [("wordlist", "insult:pt", "f.d.p")]),
    ("FDPPPP", BLOCK, [("wordlist", "insult:pt", "FDPPPP")]),
    ("v_s_f", BLOCK, [("wordlist", "insult:pt", "v_s_f")]),
    ("k u r w a", BLOCK, [("wordlist", "profanity:pl", "k u r w a")]),
    ("k.u.r.w.a", BLOCK, [("wordlist", "profanity:pl", "k.u.r.w.a")]),
    ("kurwaaaa", BLOCK, [("wordlist", "profanity:pl", "kurwaaaa")]),
    ("KURWA", BLOCK, [("wordlist", "profanity:pl", "KURWA")]),
    ("Kurw\u0430 mać", BLOCK, [("wordlist", "profanity:pl", "Kurw\u0430")]),  # Cyrillic а
    ("ch*j", BLOCK, [("wordlist", "profanity:pl", "ch*j")]),
    ("sp1erd4laj", BLOCK, [("wordlist", "insult:pl", "sp1erd4laj")]),
    ("f**k you", BLOCK, [("wordlist", "profanity:en", "f**k")]),
    ("sh1t", REVIEW, [("wordlist", "profanity:en", "sh1t")]),
    ("a$$hole", BLOCK, [("wordlist", "insult:en", "a$$hole")]),
    ("\uff46\uff55\uff43\uff4b", BLOCK, [("wordlist", "profanity:en", "\uff46\uff55\uff43\uff4b")]),  # full-width
    ("b-i-t-c-h", BLOCK, [("wordlist", "insult:en", "b-i-t-c-h")]),
    ("mi\u200berda", REVIEW, [("wordlist", "profanity:es", "mi\u200berda")]),  # zero-width space
    ("g i l i p o l l a s", BLOCK, [("wordlist", "insult:es", "g i l i p o l l a s")]),
    ("hijo de p u t a", BLOCK, [("wordlist", "insult:es", "hijo de p u t a")]),
    ("pendejoooo", BLOCK, [("wordlist", "insult:es", "pendejoooo")]),
]

SPAM_AND_LINKS: list[Row] = [
    (
        "Ganhe dinheiro fácil: bit.ly/renda-extra",
        REVIEW,
        [
            ("wordlist", "spam:pt", "Ganhe dinheiro"),
            ("wordlist", "spam:pt", "renda-extra"),  # spam phrases count inside links too
            ("link", "domain:bit.ly", "bit.ly/renda-extra"),
        ],
    ),
    ("veja https://www.example.com/pauta", REVIEW, [("link", "domain:example.com", "https://www.example.com/pauta")]),
    ("acessem www.plenaria.org.br.", REVIEW, [("link", "domain:plenaria.org.br", "www.plenaria.org.br")]),
    ("Entre no grupo t.me/assistencia", REVIEW, [("link", "domain:t.me", "t.me/assistencia")]),
    ("Wejdź na strone pomoc.gov.pl/wnioski", REVIEW, [("link", "domain:pomoc.gov.pl", "pomoc.gov.pl/wnioski")]),
    (
        "click here for free money",
        REVIEW,
        [("wordlist", "spam:en", "click here"), ("wordlist", "spam:en", "free money")],
    ),
    ("siga meu perfil", REVIEW, [("wordlist", "spam:pt", "siga meu perfil")]),
    (
        "gana dinero desde casa en www.ganar.xyz",
        REVIEW,
        [
            ("wordlist", "spam:es", "gana dinero"),
            ("link", "domain:ganar.xyz", "www.ganar.xyz"),
        ],
    ),
]

PERSONAL_DATA: list[Row] = [
    ("Meu CPF é 529.982.247-25", REVIEW, [("personal_data", "cpf", "529.982.247-25")]),
    ("CPF 529.982.247-24", ALLOW, []),
    ("cpf 43518999133", REVIEW, [("personal_data", "cpf", "43518999133")]),
    ("cpf 43518999134", ALLOW, []),
    ("CPF 111.111.111-11", ALLOW, []),
    ("Mój PESEL to 44051401359", REVIEW, [("personal_data", "pesel", "44051401359")]),
    ("PESEL 44051401358", ALLOW, []),
    ("PESEL 25412248244 proszę o pomoc", REVIEW, [("personal_data", "pesel", "25412248244")]),
    ("Liga pra mim: (11) 91234-5678", REVIEW, [("personal_data", "phone", "(11) 91234-5678")]),
    ("meu zap 11 98765-4321", REVIEW, [("personal_data", "phone", "11 98765-4321")]),
    ("whats +55 21 99876-5432", REVIEW, [("personal_data", "phone", "+55 21 99876-5432")]),
    ("zadzwoń: +48 123 456 789", REVIEW, [("personal_data", "phone", "+48 123 456 789")]),
    ("tel. 601-234-567", REVIEW, [("personal_data", "phone", "601-234-567")]),
    ("Call me on +1 415 555 0134", REVIEW, [("personal_data", "phone", "+1 415 555 0134")]),
    ("escreva para maria.souza@exemplo.com.br", REVIEW, [("personal_data", "email", "maria.souza@exemplo.com.br")]),
    ("mail me: jan.kowalski@wp.pl!", REVIEW, [("personal_data", "email", "jan.kowalski@wp.pl")]),
]

SHOUTING: list[Row] = [
    ("ISSO É UM ABSURDO, QUEREMOS RESPOSTAS", REVIEW, [("caps", "uppercase", "")]),
    ("TO JEST SKANDAL I HAŃBA!!!", REVIEW, [("caps", "uppercase", "")]),
    ("O PREFEITO É UM FDP", BLOCK, [("wordlist", "insult:pt", "FDP"), ("caps", "uppercase", "")]),
]

TABLE = CLEAN + SCUNTHORPE + CRITICISM + PROFANITY + SLURS_AND_THREATS + OBFUSCATED + SPAM_AND_LINKS + PERSONAL_DATA
TABLE += SHOUTING

MODERATOR = Moderator()


def test_table_is_big_enough() -> None:
    assert len(TABLE) >= 120
    assert len({text for text, _, _ in TABLE}) == len(TABLE), "duplicate rows"


@pytest.mark.parametrize(("text", "verdict", "expected"), TABLE, ids=[row[0][:40] for row in TABLE])
def test_labelled_message(text: str, verdict: Verdict, expected: list[tuple[str, str, str]]) -> None:
    decision = MODERATOR.check(text)
    got = [(r.rule, r.detail, text[r.start : r.end]) for r in decision.reasons]
    assert got == expected
    assert decision.verdict is verdict
    for reason in decision.reasons:
        if reason.start == reason.end:
            assert reason.start == 0
        assert 0 <= reason.start <= reason.end <= len(text)
