import hashlib

from gongkai.digest import SMALL, sha256_hex


def test_the_digest_is_hashlibs_for_small_and_large_inputs():
    for data in (b"", "2021年度报告".encode(), bytes(range(256)) * 1000, b"x" * (SMALL + 1)):
        assert sha256_hex(data) == hashlib.sha256(data).hexdigest()
