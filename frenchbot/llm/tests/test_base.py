"""The contract's values, errors, retry policy and the base class's own behaviour."""

import dataclasses

import pytest
from django.utils import translation

from frenchbot.llm import base
from frenchbot.llm.base import (
    Capabilities,
    ChatOptions,
    LLMError,
    Message,
    Passage,
    Provider,
    ProviderRateLimited,
    ProviderRefused,
    ProviderStreamBroken,
    ProviderTimeout,
    ProviderUnavailable,
    RetryPolicy,
    check_messages,
    last_user_message,
)

from .contract import run


def test_values_are_frozen_with_the_documented_defaults():
    assert ChatOptions() == ChatOptions(temperature=0.2, max_tokens=600, stop=(), timeout=None)
    assert Capabilities() == Capabilities(streaming=True, uses_passages_only=False, local=False)
    assert Passage(title="T", url="/u/", text="x").label == ""
    with pytest.raises(dataclasses.FrozenInstanceError):
        Message("user", "Bonjour").content = "Autre"
    with pytest.raises(dataclasses.FrozenInstanceError):
        ChatOptions().max_tokens = 5


@pytest.mark.parametrize(
    "error, french",
    [
        (LLMError, "Le service d'IA a rencontré un problème. Réessayez dans un instant."),
        (ProviderUnavailable, "Le service d'IA ne répond pas pour le moment. Réessayez dans un instant."),
        (ProviderTimeout, "Le service d'IA met trop de temps à répondre. Réessayez dans un instant."),
        (
            ProviderRefused,
            "Le service d'IA a refusé la demande. Réessayez plus tard, ou écrivez-nous si le problème persiste.",
        ),
        (
            ProviderRateLimited,
            "Le service d'IA reçoit trop de demandes en ce moment. Patientez quelques secondes puis réessayez.",
        ),
        (ProviderStreamBroken, "La réponse a été interrompue. Réessayez dans un instant."),
    ],
)
def test_every_error_has_a_french_message_for_visitors(error, french):
    assert issubclass(error, LLMError)
    exc = error("connection refused by 10.0.0.3:443")
    with translation.override("fr"):
        assert str(exc.user_message) == french
    # The technical text stays in the logs, out of what visitors read.
    assert str(exc) == "connection refused by 10.0.0.3:443"


def test_an_error_can_carry_its_own_user_message():
    exc = ProviderRefused("quota", user_message="Le quota du mois est atteint.")
    assert exc.user_message == "Le quota du mois est atteint."
    assert str(ProviderRefused().user_message) != exc.user_message  # the class default is untouched
    assert str(ProviderRefused()) == "ProviderRefused"


def test_retry_delays_double_from_the_base_and_stop_at_the_maximum():
    policy = RetryPolicy(max_retries=5, base_delay=0.5, max_delay=3.0)
    for attempt, expected in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 3.0), (5, 3.0)]:
        delay = policy.delay(attempt)
        assert expected <= delay <= expected * 1.1


def test_check_messages():
    messages = (Message("system", "S"), Message("user", "Q"))
    assert check_messages(messages) == list(messages)
    with pytest.raises(ValueError, match="at least one message"):
        check_messages([])
    with pytest.raises(ValueError, match="message 1 is a dict"):
        check_messages([Message("user", "Q"), {"role": "user", "content": "Q"}])
    with pytest.raises(ValueError, match="unknown role 'tool'"):
        check_messages([Message("tool", "Q")])


def test_last_user_message():
    messages = [Message("user", "Première"), Message("assistant", "Réponse"), Message("user", "Seconde")]
    assert last_user_message(messages) == "Seconde"
    assert last_user_message([Message("system", "S")]) == ""


def test_the_base_class_requires_stream():
    with pytest.raises(NotImplementedError):
        Provider().stream([Message("user", "Q")])


class Counting(Provider):
    """A minimal provider: enough to test what the base class builds on ``stream()``."""

    model_id = "counting"
    display_name = "Compteur"

    def __init__(self):
        self.closed = 0

    async def stream(self, messages, *, options=ChatOptions(), passages=(), usage=None):  # noqa: B008
        try:
            for word in ("un ", "deux ", "trois"):
                yield word
            if usage is not None:
                usage["completion_tokens"] = 3
        finally:
            self.closed += 1


def test_complete_joins_the_stream_and_reports_usage():
    provider = Counting()
    completion = run(provider.complete([Message("user", "Compte")]))
    assert completion == base.Completion(text="un deux trois", usage={"completion_tokens": 3})
    assert provider.closed == 1


def test_complete_closes_the_stream_when_it_fails():
    class Failing(Counting):
        async def stream(self, messages, **kwargs):
            try:
                yield "un "
                raise ProviderStreamBroken("cut")
            finally:
                self.closed += 1

    provider = Failing()
    with pytest.raises(ProviderStreamBroken):
        run(provider.complete([Message("user", "Compte")]))
    assert provider.closed == 1


def test_repr_names_the_alias_and_model():
    provider = Counting()
    provider.alias = "secours"
    assert repr(provider) == "<Counting alias='secours' model_id='counting'>"
