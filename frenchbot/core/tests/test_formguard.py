"""The spam defences shared by the public forms: honeypot, signed time stamp, minimum fill time."""

import time

from django.core import signing

from frenchbot.core.formguard import FORM_TS_MAX_AGE, SpamGuardForm, form_timestamp, form_timestamp_problem


def _problems(data, *, min_seconds=0):
    form = SpamGuardForm(data)
    assert form.is_valid()
    return form.spam_problems(min_seconds=min_seconds)


def test_a_person_who_took_their_time_passes():
    assert _problems({"ts": form_timestamp(), "website": ""}) == []


def test_the_honeypot_and_a_missing_or_altered_stamp_are_caught():
    assert _problems({"ts": form_timestamp(), "website": "http://spam.example"}) == ["honeypot"]
    assert _problems({"website": ""}) == ["expired"]
    assert _problems({"ts": form_timestamp() + "x"}) == ["expired"]


def test_too_fast_and_too_old():
    assert _problems({"ts": form_timestamp()}, min_seconds=60) == ["too_fast"]

    class Past(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - FORM_TS_MAX_AGE - 60)

    old = Past(salt="frenchbot.core.form-ts").sign_object(time.time() - FORM_TS_MAX_AGE - 60)
    assert form_timestamp_problem(value=old, min_seconds=0) == "expired"


def test_a_stamp_signed_for_another_form_does_not_pass():
    assert form_timestamp_problem(value=form_timestamp(salt="another-form"), min_seconds=0) == "expired"


def test_a_stamp_is_the_tenth_of_a_second_it_was_shown_in_and_follows_the_signing_key(settings):
    before = time.time()
    stamp = form_timestamp()
    shown_at = signing.loads(stamp, salt="frenchbot.core.form-ts")
    assert before - 0.1 < shown_at <= time.time()
    # Signed again with a new key at once: the old key's signature is not handed out any more.
    settings.SECRET_KEY = "another-key-for-this-test-only-0123456789-abcdefghij"
    renewed = form_timestamp()
    assert renewed != stamp
    assert form_timestamp_problem(value=renewed, min_seconds=0) is None
    assert form_timestamp_problem(value=stamp, min_seconds=0) == "expired"
