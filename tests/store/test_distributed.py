"""The Ray adapter, tested with a stand-in module that has the calls it uses (Ray itself is ~80 MB and not
a dependency); with Ray installed, the same test also runs on a real local Ray."""

from __future__ import annotations

import importlib.util
from concurrent.futures import Future

import pytest

from gongkai.store import Store, ingest
from gongkai.store.distributed import RayExecutor, ray_map


class _Ref:
    def __init__(self, value):
        self.value = value

    def future(self) -> Future:
        f: Future = Future()
        f.set_result(self.value)
        return f


class _Task:
    def __init__(self, fn, calls):
        self.fn, self.calls, self.opts = fn, calls, {}

    def options(self, **kw):
        t = _Task(self.fn, self.calls)
        t.opts = kw
        return t

    def remote(self, *args, **kwargs):
        self.calls.append((self.fn.__name__, self.opts))
        return _Ref(self.fn(*args, **kwargs))


class FakeRay:
    """What RayExecutor and ray_map call: is_initialized, init, remote, wait, get."""

    def __init__(self):
        self.initialized = False
        self.calls: list = []

    def is_initialized(self):
        return self.initialized

    def init(self, **kw):
        self.initialized = True

    def remote(self, fn):
        return _Task(fn, self.calls)

    def wait(self, refs, num_returns=1):
        return refs[:num_returns], refs[num_returns:]

    def get(self, refs):
        return [r.value for r in refs]


def test_ingest_through_the_ray_executor(text_corpus, corpus_db, tmp_path):
    from tests.store.test_ingest import dump

    fake = FakeRay()
    url = f"sqlite:///{tmp_path / 'ray.db'}"
    ex = RayExecutor(fake, options={"num_cpus": 1})
    assert fake.initialized
    result = ingest([text_corpus], url, executor=ex)
    assert result.counts["failed"] == 0 and result.stored == len(fake.calls)
    assert all(name == "process_bytes" and opts == {"num_cpus": 1} for name, opts in fake.calls)
    assert dump(url) == dump(corpus_db)  # same database as the local run


def test_ray_map(text_corpus):
    docs = sorted(text_corpus.glob("seeds/*.txt"))
    out = list(ray_map(((p.name, p.read_bytes()) for p in docs), ray=FakeRay(), window=2))
    assert sorted(o["name"] for o in out) == [p.name for p in docs]
    assert all(o["status"] in ("ok", "problems") for o in out)


@pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="ray not installed")
def test_real_ray_local(text_corpus, tmp_path):  # pragma: no cover - only where ray is installed
    import ray

    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False)
    try:
        url = f"sqlite:///{tmp_path / 'real-ray.db'}"
        result = ingest([text_corpus / "seeds"], url, executor=RayExecutor(ray))
        assert result.stored == 5
        with Store(url) as st:
            assert len(st.stored_reports()) == 5
    finally:
        ray.shutdown()


@pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="ray not installed")
def test_ray_writers_store_what_a_local_ingest_stores(text_corpus, corpus_db, tmp_path):
    """Two Ray actors each read and write (PostgreSQL when GONGKAI_TEST_PG_URL is set, else SQLite): the
    same database as a local ingest, and a second run skips everything."""
    import os

    import ray

    from gongkai.store.distributed import ray_ingest
    from tests.store.test_ingest import dump

    url = f"sqlite:///{tmp_path / 'ray-writers.db'}"
    if os.environ.get("GONGKAI_TEST_PG_URL"):
        url = _fresh_postgres(os.environ["GONGKAI_TEST_PG_URL"])
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        result = ray_ingest([text_corpus], url, workers=2, ray=ray)
        assert result.counts["failed"] == 0 and result.stored > 0
        assert dump(url) == dump(corpus_db)
        assert ray_ingest([text_corpus], url, workers=2, ray=ray).counts["skipped"] == result.stored
    finally:
        ray.shutdown()


def _fresh_postgres(server_url: str) -> str:
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"gongkai_ray_{uuid.uuid4().hex[:10]}"
    server = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with server.connect() as c:
        c.execute(text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
    server.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)
