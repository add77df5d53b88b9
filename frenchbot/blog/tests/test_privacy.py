"""The blog's personal data under the RGPD rights: a person's comments found by their address, their poll votes
by the fingerprint of the address they wrote from, and what erasure leaves (the setting decides for comments)."""

import pytest
from django.utils import translation

from frenchbot.blog.models import Comment, PollVote
from frenchbot.blog.privacy import COMMENTS, POLLS, CommentData, PollVoteData
from frenchbot.core.net import ip_fingerprint
from frenchbot.privacy.registry import Erasure, Subject, declaration_for

from .factories import ArticleFactory, CommentFactory, PollFactory

pytestmark = pytest.mark.django_db

JEANNE_IP = "198.51.100.7"
PAUL_IP = "203.0.113.9"


@pytest.fixture
def people():
    """Jeanne comments twice (one of them answered by Paul) and votes; Paul comments, answers her and votes."""
    article = ArticleFactory(title="Écrire un bon prompt")
    other = ArticleFactory(title="ChatGPT au bureau")
    jeanne_first = CommentFactory(
        article=article,
        name="Jeanne Dupont",
        email="Jeanne.Dupont@Example.fr",
        body="Le passage sur le rôle m'a aidée.",
        ip_fingerprint=ip_fingerprint(JEANNE_IP),
        user_agent="Firefox/128.0 (Jeanne)",
    )
    jeanne_second = CommentFactory(
        article=other,
        name="Jeanne D.",
        email="jeanne.dupont@example.fr",
        body="Et pour les tableaux ?",
        ip_fingerprint=ip_fingerprint(JEANNE_IP),
        user_agent="Firefox/128.0 (Jeanne)",
    )
    paul_comment = CommentFactory(
        article=article,
        name="Paul Martin",
        email="paul.martin@example.fr",
        body="Très clair, merci.",
        ip_fingerprint=ip_fingerprint(PAUL_IP),
        user_agent="Chrome/126.0 (Paul)",
    )
    paul_reply = CommentFactory(
        article=article,
        parent=jeanne_first,
        name="Paul Martin",
        email="paul.martin@example.fr",
        body="Pareil pour moi.",
        ip_fingerprint=ip_fingerprint(PAUL_IP),
        user_agent="Chrome/126.0 (Paul)",
    )
    poll = PollFactory(article=article)
    genius, poker = poll.options.all()[:2]
    jeanne_vote = PollVote.objects.create(
        poll=poll, option=genius, voter_id="navigateur-jeanne", ip_fingerprint=ip_fingerprint(JEANNE_IP)
    )
    paul_vote = PollVote.objects.create(
        poll=poll, option=poker, voter_id="navigateur-paul", ip_fingerprint=ip_fingerprint(PAUL_IP)
    )
    return {
        "jeanne": [jeanne_first, jeanne_second],
        "jeanne_vote": jeanne_vote,
        "paul": [paul_comment, paul_reply],
        "paul_vote": paul_vote,
    }


JEANNE = Subject(emails=("jeanne.dupont@example.fr",))


def _snapshot(rows):
    return [
        (c.pk, c.name, c.email, c.body, c.ip_fingerprint, c.user_agent, c.parent_id, c.status)
        for c in Comment.objects.filter(pk__in=[row.pk for row in rows]).order_by("pk")
    ]


def _jeanne_is_nowhere():
    jeanne_fp = ip_fingerprint(JEANNE_IP)
    assert not Comment.objects.filter(email__iexact="jeanne.dupont@example.fr").exists()
    assert not Comment.objects.filter(name__icontains="Jeanne").exists()
    assert not Comment.objects.filter(ip_fingerprint=jeanne_fp).exists()
    assert not Comment.objects.filter(user_agent__icontains="Jeanne").exists()
    assert not PollVote.objects.filter(ip_fingerprint=jeanne_fp).exists()
    assert not PollVote.objects.filter(voter_id="navigateur-jeanne").exists()


def test_the_declarations_are_registered():
    assert isinstance(declaration_for("blog.Comment"), CommentData)
    assert isinstance(declaration_for("blog.PollVote"), PollVoteData)
    assert (COMMENTS.order, POLLS.order) == (40, 45)


def test_the_treatments_say_the_privacy_policy_paragraphs_word_for_word():
    # Same msgid as the policy's paragraphs: the English catalogue already translates them.
    for treatment in (COMMENTS, POLLS):
        (french,) = treatment.paragraphs()
        with translation.override("en"):
            (english,) = treatment.paragraphs()
        assert english != french
    assert "Base légale\u00a0:" in COMMENTS.paragraphs()[0]


def test_the_poll_retention_follows_the_setting(settings):
    settings.RETENTION_POLL_FINGERPRINTS_DAYS = 2
    assert "2 jours" in POLLS.retention_text()
    settings.RETENTION_POLL_FINGERPRINTS_DAYS = 5
    assert "5 jours" in POLLS.retention_text()
    settings.RETENTION_POLL_FINGERPRINTS_DAYS = 0
    assert "effacée" not in POLLS.retention_text()


def test_comments_are_found_by_address_whatever_its_case(people):
    declaration = declaration_for("blog.Comment")
    found = declaration.rows(Subject(emails=("JEANNE.DUPONT@example.FR",)))
    assert sorted(c.pk for c in found) == sorted(c.pk for c in people["jeanne"])
    assert declaration.ip_fingerprints(found) == {ip_fingerprint(JEANNE_IP)}


def test_a_comment_reads_plainly_in_the_export(people):
    declaration = declaration_for("blog.Comment")
    exported = declaration.export_row(people["jeanne"][0])
    assert exported["article"] == "Écrire un bon prompt"
    assert exported["nom"] == "Jeanne Dupont"
    assert exported["commentaire"] == "Le passage sur le rôle m'a aidée."
    assert exported["statut"] == "Approuvé"
    assert exported["navigateur"] == "Firefox/128.0 (Jeanne)"
    assert exported["date"] == people["jeanne"][0].created_at.isoformat()


def test_votes_are_found_by_fingerprint_only(people):
    declaration = declaration_for("blog.PollVote")
    # A vote holds no address: an e-mail alone finds none.
    assert list(declaration.rows(JEANNE)) == []
    subject = Subject(emails=JEANNE.emails, ip_fingerprints=(ip_fingerprint(JEANNE_IP),))
    assert list(declaration.rows(subject)) == [people["jeanne_vote"]]
    exported = declaration.export_row(people["jeanne_vote"])
    assert exported["votre réponse"] == "Coup de génie"
    assert exported["sondage"] == people["jeanne_vote"].poll.question


def test_by_default_erasure_anonymises_comments_and_keeps_their_text(people, settings):
    settings.PRIVACY_COMMENTS_ON_ERASURE = "anonymise"
    declaration = declaration_for("blog.Comment")
    assert declaration.erasure == Erasure.ANONYMISE
    assert "Anonyme" in declaration.erasure_summary()
    paul_before = _snapshot(people["paul"])

    # Erasure runs in the visitor's language; the signature stored is the site's.
    with translation.override("en"):
        assert declaration.erase(declaration.rows(JEANNE)) == 2

    jeanne = Comment.objects.filter(pk__in=[c.pk for c in people["jeanne"]]).order_by("pk")
    assert [(c.name, c.email, c.ip_fingerprint, c.user_agent) for c in jeanne] == [
        ("Anonyme", "", "", "")
    ] * 2
    assert [c.body for c in jeanne] == ["Le passage sur le rôle m'a aidée.", "Et pour les tableaux ?"]
    # Paul's comments, his reply to Jeanne's included, are as they were.
    assert _snapshot(people["paul"]) == paul_before
    assert declaration.rows(JEANNE).count() == 0
    assert not Comment.objects.filter(name__icontains="jeanne").exists()


def test_with_the_delete_setting_comments_go_with_the_replies_made_to_them(people, settings):
    settings.PRIVACY_COMMENTS_ON_ERASURE = "delete"
    declaration = declaration_for("blog.Comment")
    assert declaration.erasure == Erasure.DELETE
    assert "supprimés" in declaration.erasure_summary()
    paul_comment, paul_reply = people["paul"]
    paul_before = _snapshot([paul_comment])

    assert declaration.erase(declaration.rows(JEANNE)) == 2

    assert not Comment.objects.filter(pk__in=[c.pk for c in people["jeanne"]]).exists()
    # The reply to Jeanne's comment went with it (the parent link cascades): no reply answers nothing.
    assert not Comment.objects.filter(pk=paul_reply.pk).exists()
    assert _snapshot([paul_comment]) == paul_before


def test_the_rule_said_before_confirming_follows_the_setting_when_read(settings):
    declaration = declaration_for("blog.Comment")
    settings.PRIVACY_COMMENTS_ON_ERASURE = "delete"
    deleting = declaration.erasure_summary()
    settings.PRIVACY_COMMENTS_ON_ERASURE = "anonymise"
    assert declaration.erasure_summary() != deleting


def test_erasure_deletes_the_person_s_votes_only(people):
    subject = Subject(emails=JEANNE.emails, ip_fingerprints=(ip_fingerprint(JEANNE_IP),))
    votes = declaration_for("blog.PollVote")

    assert votes.erase(votes.rows(subject)) == 1

    paul_vote = people["paul_vote"]
    assert list(PollVote.objects.values_list("pk", "voter_id", "ip_fingerprint", "option_id")) == [
        (paul_vote.pk, "navigateur-paul", ip_fingerprint(PAUL_IP), paul_vote.option_id)
    ]


def test_after_erasure_the_person_is_nowhere_in_the_blog(people, settings):
    settings.PRIVACY_COMMENTS_ON_ERASURE = "anonymise"
    comments = declaration_for("blog.Comment")
    votes = declaration_for("blog.PollVote")
    # As the privacy app does: the fingerprints are read from the person's rows before anything is erased.
    subject = Subject(
        emails=JEANNE.emails, ip_fingerprints=tuple(comments.ip_fingerprints(comments.rows(JEANNE)))
    )

    votes.erase(votes.rows(subject))
    comments.erase(comments.rows(subject))

    _jeanne_is_nowhere()
    assert Comment.objects.filter(email="paul.martin@example.fr").count() == 2
    assert PollVote.objects.filter(voter_id="navigateur-paul").count() == 1
