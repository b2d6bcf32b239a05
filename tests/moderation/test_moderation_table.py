"""A labelled table of realistic messages in pt, pl, en and es.

Each row: the message, the expected verdict, and every expected reason as
(rule, detail, fragment) where fragment is the exact original text the span
must highlight ("" for reasons that are not about a span). The reasons must
match exactly, so a false positive anywhere in a row fails it.
"""

from __future__ import annotations

import statistics
import time

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


CONTEXT_RULES: list[Row] = [
    ("Esses vereadores deviam ser mortos", REVIEW, [("threat", "obligation:pt", "vereadores deviam ser mortos")]),
    ("vou matar o prefeito se ele cortar o benefício", REVIEW, [("threat", "future:pt", "vou matar o prefeito")]),
    ("tomara que o prefeito morra", REVIEW, [("threat", "wish:pt", "tomara que o prefeito morra")]),
    ("matem o prefeito!", REVIEW, [("threat", "command:pt", "matem o prefeito")]),
    ("te espero lá fora depois da reunião, vereador", REVIEW, [("threat", "ambush:pt", "te espero lá fora")]),
    ("o prefeito merece levar um tiro", REVIEW, [("threat", "obligation:pt", "prefeito merece levar um tiro")]),
    ("você é um macaco, volta pra senzala", REVIEW, [("dehumanisation", "race:pt", "você é um macaco")]),
    ("zabiję tego radnego", REVIEW, [("threat", "future:pl", "zabiję tego radnego")]),
    ("Tych radnych trzeba powiesić", REVIEW, [("threat", "obligation:pl", "radnych trzeba powiesić")]),
    ("Śmierć radnym!", REVIEW, [("threat", "command:pl", "Śmierć radnym")]),
    ("dorwę cię przy wyjściu", REVIEW, [("threat", "ambush:pl", "dorwę cię przy wyjściu")]),
    ("obyś zdechł", REVIEW, [("threat", "wish:pl", "obyś zdechł")]),
    ("ty czarna małpo", REVIEW, [("dehumanisation", "race:pl", "ty czarna małpo")]),
    ("I will get you at the exit", REVIEW, [("threat", "ambush:en", "get you at the exit")]),
    ("These councillors should be killed", REVIEW, [("threat", "obligation:en", "councillors should be killed")]),
    ("someone should shoot the mayor", REVIEW, [("threat", "obligation:en", "should shoot the mayor")]),
    ("hang them all", REVIEW, [("threat", "command:en", "hang them all")]),
    ("you're a monkey, go back to the plantation", REVIEW, [("dehumanisation", "race:en", "you're a monkey")]),
    ("Voy a matar al alcalde", REVIEW, [("threat", "future:es", "Voy a matar al alcalde")]),
    ("lo voy a matar", REVIEW, [("threat", "future:es", "lo voy a matar")]),
    (
        "estos concejales deberían ser fusilados",
        REVIEW,
        [("threat", "obligation:es", "concejales deberían ser fusilados")],
    ),
    ("eres un mono, vuelve a la plantación", REVIEW, [("dehumanisation", "race:es", "eres un mono")]),
    # A listed threat is reported once, by the list (it blocks), not again by the grammar.
    ("te pego na saída, vereador", BLOCK, [("wordlist", "threat:pt", "te pego na saída")]),
    ("Zadzwoń do mnie 600 123 456, dziękuję", REVIEW, [("personal_data", "phone", "600 123 456")]),
    ("mój numer: +48 600 123 456", REVIEW, [("personal_data", "phone", "+48 600 123 456")]),
    ("tel. (22) 345 67 89", REVIEW, [("personal_data", "phone", "(22) 345 67 89")]),
    ("proszę dzwonić: 600 12 34 56.", REVIEW, [("personal_data", "phone", "600 12 34 56")]),
    ("mój telefon to 600123456", REVIEW, [("personal_data", "phone", "600123456")]),
    ("budżet to 600 123 456 zł", ALLOW, []),
    ("foram R$ 600 123 456 em 2024", ALLOW, []),
    ("os vereadores mentem", ALLOW, []),
    ("ta ustawa to skandal", ALLOW, []),
    ("o prefeito é incompetente e devia renunciar", ALLOW, []),
    ("vou matar a saudade dos colegas do CRAS", ALLOW, []),
    ("zabiję czas czekając na panel", ALLOW, []),
    ("kill the bill", ALLOW, []),
    ("we are going to kill them in the second half", ALLOW, []),
    ("vamos matar eles no segundo tempo", ALLOW, []),
    ("te espero lá fora para o café", ALLOW, []),
]

TABLE = CLEAN + SCUNTHORPE + CRITICISM + PROFANITY + SLURS_AND_THREATS + OBFUSCATED + SPAM_AND_LINKS + PERSONAL_DATA
TABLE += SHOUTING + CONTEXT_RULES

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


# -- what the word lists cannot see: labelled by what should happen, not by what the rules do ---
# (language, category, text, hold): hold is True when a moderator must see the message before
# anyone else does (threats against people, dehumanising comparisons, phone numbers), False for
# what must be published at once (criticism, idioms, sports talk, innocent numbers and animals).
# `test_context_recall_and_false_holds` reports recall and false holds on these and asserts the
# thresholds below; `python -m tests.moderation.test_moderation_table` prints them per category.
Case = tuple[str, str, str, bool]

LABELLED: list[Case] = [
    # -- threats aimed at people in the room or in office: must be held -----------------------
    ("pt", "threat", "Esses vereadores deviam ser mortos", True),
    ("pt", "threat", "vou matar o prefeito se ele cortar o benefício", True),
    ("pt", "threat", "Vou pegar você na saída, pode esperar", True),
    ("pt", "threat", "te espero lá fora depois da reunião, vereador", True),
    ("pt", "threat", "esse secretário tem que morrer", True),
    ("pt", "threat", "o prefeito merece levar um tiro", True),
    ("pt", "threat", "tinha que fuzilar todos esses vereadores", True),
    ("pt", "threat", "a gente vai linchar esse prefeito", True),
    ("pt", "threat", "vamos queimar esses políticos vivos", True),
    ("pt", "threat", "Vou dar um tiro nesse vereador", True),
    ("pt", "threat", "os conselheiros deviam ser todos enforcados", True),
    ("pt", "threat", "tomara que o prefeito morra", True),
    ("pt", "threat", "matem o prefeito!", True),
    ("pt", "threat", "morte aos vereadores", True),
    ("pt", "threat", "eu mato esse deputado", True),
    ("pt", "threat", "quero matar essa secretária", True),
    ("pt", "threat", "alguém devia matar esse prefeito", True),
    ("pt", "threat", "vou esfaquear você", True),
    ("pt", "threat", "vou quebrar a cara desse vereador", True),
    ("pt", "threat", "esse vereador precisa morrer", True),
    ("pt", "threat", "vou te pegar na saída", True),
    ("pt", "threat", "vc vai apanhar na saída", True),
    ("pl", "threat", "zabiję tego radnego", True),
    ("pl", "threat", "Tych radnych trzeba powiesić", True),
    ("pl", "threat", "Ci radni powinni zostać powieszeni", True),
    ("pl", "threat", "Śmierć radnym!", True),
    ("pl", "threat", "dorwę cię przy wyjściu", True),
    ("pl", "threat", "poczekam na ciebie na parkingu", True),
    ("pl", "threat", "burmistrz powinien zdechnąć", True),
    ("pl", "threat", "obyś zdechł", True),
    ("pl", "threat", "niech ten radny zdechnie", True),
    ("pl", "threat", "zastrzelę burmistrza", True),
    ("pl", "threat", "trzeba ich zabić", True),
    ("pl", "threat", "należy rozstrzelać tych urzędników", True),
    ("pl", "threat", "zabijcie prezydenta", True),
    ("pl", "threat", "Dopadnę cię po sesji", True),
    ("pl", "threat", "połamię ci nogi po spotkaniu", True),
    ("pl", "threat", "pobiję tego radnego", True),
    ("pl", "threat", "będę was bić", True),
    ("pl", "threat", "tego ministra trzeba odstrzelić", True),
    ("en", "threat", "I will get you at the exit", True),
    ("en", "threat", "These councillors should be killed", True),
    ("en", "threat", "I'm going to kill the mayor", True),
    ("en", "threat", "someone should shoot the mayor", True),
    ("en", "threat", "we'll be waiting for you outside", True),
    ("en", "threat", "the mayor deserves to die", True),
    ("en", "threat", "hang them all", True),
    ("en", "threat", "death to the councillors", True),
    ("en", "threat", "I hope the minister dies", True),
    ("en", "threat", "I'll beat you up after the meeting", True),
    ("en", "threat", "we should lynch these politicians", True),
    ("en", "threat", "I want you dead", True),
    ("en", "threat", "I'll smash your face in", True),
    ("en", "threat", "that councillor should be shot", True),
    ("en", "threat", "gonna stab that councillor", True),
    ("en", "threat", "you'd better watch out when you leave tonight", True),
    ("es", "threat", "Voy a matar al alcalde", True),
    ("es", "threat", "hay que matar a esos concejales", True),
    ("es", "threat", "te espero a la salida", True),
    ("es", "threat", "el alcalde merece morir", True),
    ("es", "threat", "lo voy a matar", True),
    ("es", "threat", "estos concejales deberían ser fusilados", True),
    ("es", "threat", "ojalá se muera el alcalde", True),
    ("es", "threat", "muerte a los concejales", True),
    ("es", "threat", "maten al alcalde", True),
    ("es", "threat", "voy a partirle la cara al concejal", True),
    ("es", "threat", "habría que ahorcarlos a todos", True),
    ("es", "threat", "te voy a esperar a la salida", True),
    ("es", "threat", "al paredón con el alcalde", True),
    ("es", "threat", "vamos a quemar a esos políticos", True),
    # -- dehumanisation: an animal aimed at a person, with race, slavery or skin ---------------
    ("pt", "dehumanisation", "você é um macaco, volta pra senzala", True),
    ("pt", "dehumanisation", "esse vereador parece um macaco, lugar de preto é na senzala", True),
    ("pt", "dehumanisation", "cara de macaco, vai comer banana", True),
    ("pt", "dehumanisation", "essa secretária é uma macaca, devia estar na jaula", True),
    ("pt", "dehumanisation", "vc é um gorila, negro imundo", True),
    ("pl", "dehumanisation", "ty czarna małpo", True),
    ("pl", "dehumanisation", "jesteś małpą, wracaj do Afryki", True),
    ("pl", "dehumanisation", "ten radny to małpa z dżungli, niewolnik", True),
    ("pl", "dehumanisation", "wyglądasz jak goryl, czarnuchu", True),
    ("en", "dehumanisation", "you're a monkey, go back to the plantation", True),
    ("en", "dehumanisation", "you look like an ape with that black skin", True),
    ("en", "dehumanisation", "the mayor is a monkey, a slave at best", True),
    ("en", "dehumanisation", "he's a gorilla, send him back to Africa", True),
    ("es", "dehumanisation", "eres un mono, vuelve a la plantación", True),
    ("es", "dehumanisation", "pareces un simio con esa piel", True),
    ("es", "dehumanisation", "el concejal es un mono, negro de mierda", True),
    # -- Polish phone numbers in spaced groups --------------------------------------------------
    ("pl", "phone", "Zadzwoń do mnie 600 123 456, dziękuję", True),
    ("pl", "phone", "mój numer: +48 600 123 456", True),
    ("pl", "phone", "tel. 12 345 67 89", True),
    ("pl", "phone", "proszę dzwonić: 600 12 34 56.", True),
    ("pl", "phone", "tel. (22) 345 67 89", True),
    ("pl", "phone", "komórka 512-345-678", True),
    ("pl", "phone", "pisz na WhatsApp 0048 601 234 567", True),
    ("pl", "phone", "dzwońcie pod 22 123 45 67 w godzinach pracy", True),
    ("pl", "phone", "mój telefon to 600123456", True),
    ("pl", "phone", "numer +48 (22) 345-67-89", True),
    ("pl", "phone", "sms na 793 456 789!", True),
    ("pl", "phone", "Kontakt: 600 123 456 lub 22 123 45 67", True),
    # -- sharp criticism of the same officials: must pass -------------------------------------
    ("pt", "criticism", "os vereadores mentem", False),
    ("pt", "criticism", "o prefeito é incompetente e devia renunciar", False),
    ("pt", "criticism", "esses vereadores deviam ser cassados", False),
    ("pt", "criticism", "o prefeito merece ser investigado e preso", False),
    ("pt", "criticism", "vamos derrubar esse prefeito nas urnas", False),
    ("pt", "criticism", "o secretário tem que sair, já!", False),
    ("pt", "criticism", "esse orçamento mata os mais pobres", False),
    ("pt", "criticism", "os cortes vão matar o SUAS", False),
    ("pt", "criticism", "vamos acabar com a corrupção desses vereadores", False),
    ("pt", "criticism", "a fila do CRAS está matando as famílias", False),
    ("pt", "criticism", "o povo vai morrer de fome com esse benefício", False),
    ("pl", "criticism", "ta ustawa to skandal", False),
    ("pl", "criticism", "radni kłamią, burmistrz powinien odejść", False),
    ("pl", "criticism", "burmistrz powinien podać się do dymisji", False),
    ("pl", "criticism", "ten rząd zabija pomoc społeczną", False),
    ("pl", "criticism", "radnych trzeba rozliczyć przy urnie", False),
    ("pl", "criticism", "ci urzędnicy powinni zostać zwolnieni", False),
    ("pl", "criticism", "ta reforma zabije małe organizacje", False),
    ("en", "criticism", "the mayor should resign", False),
    ("en", "criticism", "these councillors should be voted out", False),
    ("en", "criticism", "this budget will kill them, the poorest families", False),
    ("en", "criticism", "the minister should be investigated and jailed", False),
    ("en", "criticism", "these cuts are killing the poor", False),
    ("en", "criticism", "we will defeat the mayor at the ballot box", False),
    ("es", "criticism", "el alcalde debería dimitir", False),
    ("es", "criticism", "los concejales deberían ser juzgados", False),
    ("es", "criticism", "este presupuesto mata a los pobres", False),
    ("es", "criticism", "hay que echar a estos políticos en las urnas", False),
    # -- idioms with violent words: must pass -----------------------------------------------------
    ("pt", "idiom", "vou matar a saudade dos colegas do CRAS", False),
    ("pt", "idiom", "vou matar a aula de amanhã", False),
    ("pt", "idiom", "quero matar a fome das famílias", False),
    ("pt", "idiom", "esse calor vai me matar", False),
    ("pt", "idiom", "vou morrer de rir com esse vídeo", False),
    ("pt", "idiom", "vamos matar dois coelhos com uma cajadada só", False),
    ("pt", "idiom", "te espero lá fora para o café", False),
    ("pt", "idiom", "vou pegar o ônibus na saída", False),
    ("pl", "idiom", "zabiję czas czekając na panel", False),
    ("pl", "idiom", "upiec dwie pieczenie na jednym ogniu", False),
    ("pl", "idiom", "załatwię ci bilet na jutro", False),
    ("pl", "idiom", "poczekam na was przy wyjściu, pójdziemy na kawę", False),
    ("pl", "idiom", "ten upał mnie zabije", False),
    ("en", "idiom", "kill the bill", False),
    ("en", "idiom", "I'm going to kill time before the next panel", False),
    ("en", "idiom", "this queue is killing me", False),
    ("en", "idiom", "I could murder a coffee", False),
    ("en", "idiom", "we need to kill this proposal", False),
    ("en", "idiom", "I'll get you a copy at the exit", False),
    ("en", "idiom", "the speaker killed it, great talk", False),
    ("es", "idiom", "voy a matar la ansiedad con un café", False),
    ("es", "idiom", "tengo que matar el tiempo hasta las tres", False),
    ("es", "idiom", "me muero de risa con este concejal", False),
    ("es", "idiom", "vamos a matar dos pájaros de un tiro", False),
    ("es", "idiom", "te espero a la salida para tomar un café", False),
    # -- sports talk --------------------------------------------------------------------------------
    ("pt", "sports", "vamos matar eles no segundo tempo", False),
    ("pt", "sports", "precisamos matar o jogo logo", False),
    ("pt", "sports", "o time vai massacrar eles na final", False),
    ("pl", "sports", "zabijemy ich w drugiej połowie meczu", False),
    ("pl", "sports", "nasza drużyna ich zniszczy", False),
    ("en", "sports", "we are going to kill them in the second half", False),
    ("en", "sports", "our team will destroy them in the final", False),
    ("es", "sports", "los vamos a matar en el segundo tiempo del partido", False),
    # -- animals, race and skin without dehumanisation -------------------------------------------
    ("pt", "race", "o macaco do zoológico fugiu da jaula de novo", False),
    ("pt", "race", "o movimento negro pede mais políticas contra o racismo", False),
    ("pt", "race", "chamar pessoas negras de macaco é crime de racismo", False),
    ("pt", "race", "usei o macaco para trocar o pneu preto", False),
    ("pl", "race", "w zoo była czarna małpa", False),
    ("pl", "race", "niewolnictwo to hańba historii", False),
    ("en", "race", "the monkey at the zoo is black and white", False),
    ("en", "race", "black families need more support from the council", False),
    ("es", "race", "el mono del zoológico come plátanos", False),
    ("es", "race", "la población negra sufre más la pobreza", False),
    # -- numbers that are not phones ------------------------------------------------------------
    ("pl", "numbers", "budżet to 600 123 456 zł", False),
    ("pl", "numbers", "w 2024 roku wydano 1 234 567 złotych", False),
    ("pl", "numbers", "głosów: 120 za, 45 przeciw", False),
    ("pl", "numbers", "Sygnatura sprawy 2024/123/456", False),
    ("pl", "numbers", "obsłużono 12 345 osób w 67 ośrodkach", False),
    ("pt", "numbers", "foram R$ 600 123 456 em 2024", False),
    ("pt", "numbers", "orçamento de 600.123.456 reais", False),
    ("en", "numbers", "the budget grew from 600 123 456 to 700 000 000 euros", False),
]

# A second batch, written before the rules were ever run on it; on its first run the rules held
# 36 of its 40 messages to hold and 1 of its 25 to publish (docs/moderation.md).
BLIND: list[Case] = [
    ("pt", "threat", "se aprovarem isso eu vou matar um vereador", True),
    ("pt", "threat", "esses conselheiros merecem morrer", True),
    ("pt", "threat", "vou atirar no prefeito", True),
    ("pt", "threat", "deviam enforcar o secretário na praça", True),
    ("pt", "threat", "vou te esfaquear na saída", True),
    ("pt", "threat", "tem que meter bala nesses políticos", True),
    ("pt", "threat", "vamos espancar esse vereador lá fora", True),
    ("pt", "threat", "a prefeita deveria ser executada", True),
    ("pt", "threat", "morte ao prefeito corrupto", True),
    ("pt", "threat", "eu vou sumir com você", True),
    ("pl", "threat", "zabiję was wszystkich", True),
    ("pl", "threat", "tych urzędników należy powiesić", True),
    ("pl", "threat", "poczekam na tego radnego pod urzędem", True),
    ("pl", "threat", "burmistrz zasługuje na śmierć", True),
    ("pl", "threat", "niech zdechną ci radni", True),
    ("pl", "threat", "uduszę tego dyrektora", True),
    ("pl", "threat", "radni powinni wisieć", True),
    ("pl", "threat", "spalę ci dom", True),
    ("en", "threat", "I will shoot the councillors", True),
    ("en", "threat", "the judge should hang", True),
    ("en", "threat", "we're going to lynch the mayor", True),
    ("en", "threat", "these politicians deserve to be shot", True),
    ("en", "threat", "I'll find you after the session", True),
    ("en", "threat", "kill the councillors", True),
    ("en", "threat", "I'm gonna break your legs", True),
    ("en", "threat", "may the mayor die soon", True),
    ("es", "threat", "voy a matar a ese concejal", True),
    ("es", "threat", "los diputados merecen ser ahorcados", True),
    ("es", "threat", "te voy a reventar a la salida", True),
    ("es", "threat", "hay que fusilar al alcalde", True),
    ("es", "threat", "que se mueran los concejales", True),
    ("es", "threat", "voy a pegarle un tiro al alcalde", True),
    ("pt", "dehumanisation", "seu prefeito é um macaco, devia voltar pra África", True),
    ("pl", "dehumanisation", "ty małpo, wracaj na plantację", True),
    ("en", "dehumanisation", "that councillor is an ape, a slave", True),
    ("es", "dehumanisation", "el alcalde parece un mono, negro", True),
    ("pl", "phone", "numer do mnie 791 234 567", True),
    ("pl", "phone", "dzwoń: 12 345 67 89.", True),
    ("pl", "phone", "proszę o kontakt 503-123-456", True),
    ("pl", "phone", "+48 512 345 678 – to mój prywatny", True),
    ("pt", "criticism", "esses vereadores deviam ter vergonha", False),
    ("pt", "criticism", "o prefeito tem que ser responsabilizado", False),
    ("pt", "criticism", "a secretária merece ser demitida", False),
    ("pt", "criticism", "vou votar contra esse prefeito", False),
    ("pt", "criticism", "essa política está matando a assistência social", False),
    ("pl", "criticism", "radni powinni się wstydzić", False),
    ("pl", "criticism", "burmistrza trzeba odwołać", False),
    ("pl", "criticism", "ten minister zabił reformę", False),
    ("en", "criticism", "the councillors should be ashamed", False),
    ("en", "criticism", "we need to kill these cuts, not the services", False),
    ("en", "criticism", "the mayor must go", False),
    ("es", "criticism", "el alcalde tiene que irse", False),
    ("es", "criticism", "los concejales merecen perder las elecciones", False),
    ("pt", "idiom", "eu mato a saudade vendo as fotos", False),
    ("pt", "idiom", "essa fila vai matar a gente de cansaço", False),
    ("pl", "idiom", "zabiję nudę dobrą książką", False),
    ("en", "idiom", "I'll kill two birds with one stone", False),
    ("en", "idiom", "that joke killed me", False),
    ("es", "idiom", "mato el tiempo leyendo", False),
    ("pt", "sports", "vamos matar eles na final do campeonato", False),
    ("en", "sports", "we will kill them at the stadium on Sunday", False),
    ("pl", "numbers", "wydatki: 123 456 789 zł w 2025", False),
    ("pt", "numbers", "processo 600 123 456 2024", False),
    ("pt", "race", "o macaco prego é nativo do Brasil", False),
    ("en", "race", "the monkey exhibit explains skin colour in primates", False),
]

CASES = LABELLED + BLIND
MIN_RECALL = 0.97
MAX_FALSE_HOLDS = 0.02


def evaluate(cases: list[Case]) -> dict[str, dict[str, int]]:
    """Per category: held and total of the messages to hold (or to publish)."""
    out: dict[str, dict[str, int]] = {}
    for _, category, text, hold in cases:
        counts = out.setdefault(category, {"held": 0, "total": 0, "hold": int(hold)})
        counts["total"] += 1
        counts["held"] += MODERATOR.check(text).verdict is not ALLOW
    return out


def rates(cases: list[Case]) -> tuple[float, float]:
    """(recall on messages to hold, false-hold rate on messages to publish)."""
    should = [text for _, _, text, hold in cases if hold]
    should_not = [text for _, _, text, hold in cases if not hold]
    held = sum(MODERATOR.check(text).verdict is not ALLOW for text in should)
    false = sum(MODERATOR.check(text).verdict is not ALLOW for text in should_not)
    return held / len(should), false / len(should_not)


def test_labelled_cases_cover_every_language_and_kind() -> None:
    assert len({text for _, _, text, _ in CASES}) == len(CASES), "duplicate cases"
    kinds = {(language, category) for language, category, _, _ in CASES}
    for language in ("pt", "pl", "en", "es"):
        for category in ("threat", "dehumanisation", "criticism", "idiom", "sports"):
            assert (language, category) in kinds, (language, category)
    assert sum(hold for *_, hold in CASES) >= 120
    assert sum(not hold for *_, hold in CASES) >= 100


def test_context_recall_and_false_holds() -> None:
    recall, false_holds = rates(CASES)
    assert recall >= MIN_RECALL, f"recall {recall:.3f}"
    assert false_holds <= MAX_FALSE_HOLDS, f"false holds {false_holds:.3f}"
    # Sharp criticism of officials is never held.
    assert all(MODERATOR.check(text).verdict is ALLOW for _, category, text, _ in CASES if category == "criticism")


def main() -> None:
    """Print recall and false holds per category and the messages the rules get wrong."""
    for name, cases in (("labelled", LABELLED), ("blind batch", BLIND), ("all", CASES)):
        recall, false_holds = rates(cases)
        print(f"{name:12} recall {recall:6.1%}   false holds {false_holds:6.1%}   ({len(cases)} messages)")
    print()
    for category, counts in sorted(evaluate(CASES).items()):
        what = "held" if counts["hold"] else "held (false)"
        print(f"  {category:15} {counts['held']:3} of {counts['total']:3} {what}")
    for name, texts in (("to hold", [t for *_, t, hold in CASES if hold]),
                        ("to publish", [t for *_, t, hold in CASES if not hold])):
        timings = []
        for text in texts:
            for _ in range(20):
                started = time.perf_counter_ns()
                MODERATOR.check(text)
                timings.append(time.perf_counter_ns() - started)
        print(f"  median {statistics.median(timings) / 1000:5.1f} µs per message {name}")
    wrong = [(language, text) for language, _, text, hold in CASES
             if (MODERATOR.check(text).verdict is not ALLOW) != hold]
    if wrong:
        print("\nwrong:")
        for language, text in wrong:
            print(f"  [{language}] {text}")


if __name__ == "__main__":
    main()
