"""Phrase packs: share-bait blocks go in every language; sentences using the words stay."""

from __future__ import annotations

import pytest

from sanitizer import Sanitizer

# lang: (a sentence that uses the share/donate word and must stay, filler, share-bait blocks)
PACKS = {
    "en": ("Shares of the company fell after the report, and investors said they share the "
           "regulator's concerns about the deal that was done on Friday.",
           "The council met on Tuesday to discuss the budget for the coming year",
           ["Share this article", "Follow us on Facebook and Twitter", "Subscribe now",
            "Donate now", "Source link", "Leave a comment"]),
    "de": ("Die beiden Länder teilen sich die Kosten für die neue Brücke, und die Stiftung "
           "will eine Spende an das Rote Kreuz geben.",
           "Der Stadtrat hat am Dienstag über den Haushalt für das kommende Jahr beraten",
           ["Teilen Sie diesen Artikel", "Folgen Sie uns auf Facebook", "Jetzt abonnieren",
            "Jetzt spenden", "Quelllink", "Kommentare"]),
    "es": ("Ambos gobiernos comparten la preocupación por la sequía y quieren compartir los "
           "datos con los agricultores.",
           "El consejo municipal se reunió el martes para discutir el presupuesto del año",
           ["Comparte este artículo", "Síguenos en Twitter", "Suscríbete", "Dona ahora",
            "Enlace fuente", "Deja un comentario"]),
    "fr": ("Les deux villes partagent les frais et veulent partager leurs données sur la "
           "pollution avec les habitants.",
           "Le conseil municipal s'est réuni mardi pour discuter du budget de l'année",
           ["Partagez cet article", "Suivez-nous sur Facebook", "Abonnez-vous",
            "Faites un don", "Lien source", "Laisser un commentaire"]),
    "pt": ("Os dois países compartilham a mesma preocupação e querem compartilhar dados sobre "
           "a seca com os agricultores.",
           "A câmara municipal reuniu-se na terça-feira para discutir o orçamento do ano",
           ["Compartilhe este artigo", "Siga-nos no Telegram.", "Inscreva-se",
            "Faça uma doação", "Link da fonte", "Deixe um comentário"]),
    "it": ("Le due città condividono i costi e vogliono condividere i dati sull'inquinamento "
           "con i cittadini.",
           "Il consiglio comunale si è riunito martedì per discutere il bilancio dell'anno",
           ["Condividi questo articolo", "Seguici su Facebook", "Iscriviti", "Dona ora",
            "Link alla fonte", "Lascia un commento"]),
    "pl": ("Oba miasta dzielą się kosztami i chcą udostępnić dane o zanieczyszczeniu "
           "powietrza mieszkańcom.",
           "Rada miasta zebrała się we wtorek, aby omówić budżet na przyszły rok",
           ["Udostępnij ten artykuł", "Obserwuj nas na Facebooku", "Subskrybuj",
            "Wesprzyj nas", "Źródło artykułu", "Dodaj komentarz"]),
    "ru": ("Оба города делят расходы и хотят поделиться данными о загрязнении воздуха с "
           "жителями.",
           "Городской совет собрался во вторник, чтобы обсудить бюджет на следующий год",
           ["Поделитесь этой статьей", "Подписывайтесь на нас в Telegram", "Подписаться",
            "Поддержите нас", "Ссылка на источник", "Оставить комментарий"]),
    "ar": ("تتقاسم المدينتان التكاليف وتريدان مشاركة البيانات حول تلوث الهواء مع السكان.",
           "اجتمع مجلس المدينة يوم الثلاثاء لمناقشة ميزانية العام المقبل",
           ["شارك هذا المقال", "تابعونا على فيسبوك", "اشترك الآن", "تبرع الآن", "رابط المصدر",
            "أضف تعليق"]),
}


def _page(keep: str, filler: str, baits: list[str]) -> str:
    body = [f"<p>{filler}, {n}.</p>" for n in range(1, 5)]
    body.insert(2, f"<p>{keep}</p>")
    head, tail = baits[:-1], baits[-1]  # the comment heading ends the article
    blocks = "".join(f"<p>{b}</p>" for b in head)
    return (f"<html><body><article class='post'><h1>Title</h1>{body[0]}{blocks}"
            f"{''.join(body[1:])}<h3>{tail}</h3><p>Anna: great!</p></article></body></html>")


@pytest.fixture(scope="module")
def cleaner() -> Sanitizer:
    return Sanitizer()


@pytest.mark.parametrize("lang", list(PACKS))
def test_share_bait_blocks_go_and_sentences_that_use_the_words_stay(cleaner: Sanitizer,
                                                                     lang: str) -> None:
    keep, filler, baits = PACKS[lang]
    doc = cleaner.clean_html(_page(keep, filler, baits), url=f"https://news.example/{lang}/1")
    assert keep in doc.text
    assert f"{filler}, 4." in doc.text
    for bait in baits:
        assert bait not in doc.text, bait
    removed = " ".join(r.text for r in doc.removals if r.rule.startswith("phrase."))
    assert all(bait in removed for bait in baits)


@pytest.mark.parametrize("sentence", [
    "The billionaire pledged to donate $1 billion to charity.",
    "John Doe was arrested after the deal was done.",
    "Users get phishing emails in their inbox every day.",
    "Users can download the new app from the store.",
    "Please share your thoughts with the committee, the mayor told residents.",
    "Die Stiftung bat um Spenden für die Flutopfer im Ahrtal.",
])
def test_article_sentences_that_mention_the_words_survive(cleaner: Sanitizer,
                                                          sentence: str) -> None:
    page = _page(sentence, "The council met on Tuesday to discuss the budget", ["x", "y"])
    doc = cleaner.clean_html(page, url="https://news.example/en/2")
    assert sentence in doc.text
