"""Hashing people's secrets: an unknown name costs what a wrong password costs."""

from __future__ import annotations

from argon2 import extract_parameters

from midnight.adapters import hashing


def test_a_password_verifies_and_a_wrong_one_does_not() -> None:
    digest = hashing.hash_password("correct horse battery")
    assert hashing.verify_password(digest, "correct horse battery")
    assert not hashing.verify_password(digest, "wrong horse battery")
    assert not hashing.verify_password("not a hash", "correct horse battery")


def test_an_unknown_user_is_checked_against_a_stand_in_as_costly_as_a_real_password() -> None:
    # No digest (no such user): the same argon2 work is done, and the answer is always no, so the
    # time a login takes does not tell whether the name exists.
    assert not hashing.verify_password(None, "this user does not exist")
    assert extract_parameters(hashing._UNKNOWN) == extract_parameters(hashing.hash_password("x" * 12))


def test_pickup_codes_verify() -> None:
    digest = hashing.hash_code("042917")
    assert hashing.verify_code(digest, "042917")
    assert not hashing.verify_code(digest, "042918")
    assert not hashing.verify_code("garbage", "042917")
